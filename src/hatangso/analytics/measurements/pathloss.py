"""Path-loss models, vectorised over numpy arrays (distances in metres, heights in metres).

- 3GPP TR 38.901 V17 Table 7.4.1-1: RMa (rural macro) and UMa (urban macro), LOS and NLOS, with
  their breakpoint distances. fc in GHz.
- COST-231 Hata (COST Action 231 final report, ch. 4.4), urban and suburban, with the mobile
  antenna correction a(h_M). f in MHz, distance in km inside the formula.

Every function takes the 2D (ground) distance and returns the path loss in dB, NaN where the
distance is outside the model's stated range (a cell beyond a model's range gets no signal from
that station; the caller clips distances below the minimum). Heights and frequencies outside a
model's range raise `ValueError` (the coverage service checks its parameters first, in words).
"""

from dataclasses import dataclass

from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")

SPEED_OF_LIGHT = 299_792_458.0  # m/s


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    what: str

    def check(self, value) -> None:
        values = np.asarray(value, dtype=float)
        if values.size and (np.nanmin(values) < self.low or np.nanmax(values) > self.high):
            raise ValueError(f"{self.what} must be within {self.low:g}–{self.high:g}")


# TR 38.901 Table 7.4.1-1 applicability ranges.
RMA_H_BS = Range(10, 150, "RMa base-station height (m)")
RMA_H_UT = Range(1, 10, "RMa user height (m)")
RMA_H = Range(5, 50, "RMa average building height (m)")
RMA_W = Range(5, 50, "RMa average street width (m)")
RMA_MIN_M, RMA_LOS_MAX_M, RMA_NLOS_MAX_M = 10.0, 10_000.0, 5_000.0
UMA_H_UT = Range(1.5, 22.5, "UMa user height (m)")
UMA_MIN_M, UMA_MAX_M = 10.0, 5_000.0
# The 38.901 models are stated for 0.5–100 GHz (RMa is validated up to 7 GHz; §7.4.1 note).
FC_GHZ = Range(0.5, 100, "carrier frequency (GHz)")
# COST-231 Hata's stated ranges.
COST231_F_MHZ = Range(1500, 2000, "COST-231 frequency (MHz)")
COST231_H_B = Range(30, 200, "COST-231 base-station height (m)")
COST231_H_M = Range(1, 10, "COST-231 mobile height (m)")
COST231_MIN_KM, COST231_MAX_KM = 1.0, 20.0


def _log(x):
    return np.log10(x)


def distance_3d(d2d, h_bs, h_ut):
    return np.sqrt(np.square(d2d) + np.square(np.asarray(h_bs, dtype=float) - h_ut))


def _within(values, low: float, high: float, d2d):
    return np.where((d2d >= low) & (d2d <= high), values, np.nan)


# --- RMa -------------------------------------------------------------------------------------------


def rma_breakpoint(h_bs, h_ut, fc_ghz):
    """d_BP = 2π h_BS h_UT f_c / c (f_c in Hz)."""
    return 2 * np.pi * np.asarray(h_bs, dtype=float) * h_ut * fc_ghz * 1e9 / SPEED_OF_LIGHT


def _rma_pl1(d3d, fc_ghz, h):
    return (
        20 * _log(40 * np.pi * d3d * fc_ghz / 3)
        + min(0.03 * h**1.72, 10) * _log(d3d)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * _log(h) * d3d
    )


def rma_los(d2d, *, fc_ghz, h_bs=35.0, h_ut=1.5, h=5.0):
    """PL1 for 10 m ≤ d2D ≤ d_BP; PL2 = PL1(d_BP) + 40 log10(d3D / d_BP) up to 10 km."""
    FC_GHZ.check(fc_ghz), RMA_H_BS.check(h_bs), RMA_H_UT.check(h_ut), RMA_H.check(h)
    d2d = np.asarray(d2d, dtype=float)
    h_bs = np.broadcast_to(np.asarray(h_bs, dtype=float), d2d.shape)
    d3d = distance_3d(d2d, h_bs, h_ut)
    d_bp = rma_breakpoint(h_bs, h_ut, fc_ghz)
    pl1 = _rma_pl1(d3d, fc_ghz, h)
    pl2 = _rma_pl1(d_bp, fc_ghz, h) + 40 * _log(d3d / d_bp)
    return _within(np.where(d2d <= d_bp, pl1, pl2), RMA_MIN_M, RMA_LOS_MAX_M, d2d)


def rma_nlos(d2d, *, fc_ghz, h_bs=35.0, h_ut=1.5, h=5.0, w=20.0):
    """max(PL_RMa-LOS, PL'_RMa-NLOS) for 10 m ≤ d2D ≤ 5 km, where
    PL' = 161.04 − 7.1 log10 W + 7.5 log10 h − (24.37 − 3.7 (h/h_BS)²) log10 h_BS
          + (43.42 − 3.1 log10 h_BS)(log10 d3D − 3) + 20 log10 f_c − (3.2 (log10(11.75 h_UT))² − 4.97).
    """
    RMA_W.check(w)
    d2d = np.asarray(d2d, dtype=float)
    h_bs = np.broadcast_to(np.asarray(h_bs, dtype=float), d2d.shape)
    los = rma_los(d2d, fc_ghz=fc_ghz, h_bs=h_bs, h_ut=h_ut, h=h)
    d3d = distance_3d(d2d, h_bs, h_ut)
    nlos = (
        161.04
        - 7.1 * _log(w)
        + 7.5 * _log(h)
        - (24.37 - 3.7 * np.square(h / h_bs)) * _log(h_bs)
        + (43.42 - 3.1 * _log(h_bs)) * (_log(d3d) - 3)
        + 20 * _log(fc_ghz)
        - (3.2 * np.square(_log(11.75 * h_ut)) - 4.97)
    )
    return _within(np.fmax(los, nlos), RMA_MIN_M, RMA_NLOS_MAX_M, d2d)


# --- UMa -------------------------------------------------------------------------------------------


def uma_breakpoint(h_bs, h_ut, fc_ghz, h_e=1.0):
    """d'_BP = 4 h'_BS h'_UT f_c / c with effective heights h' = h − h_E (h_E = 1 m)."""
    return 4 * (np.asarray(h_bs, dtype=float) - h_e) * (h_ut - h_e) * fc_ghz * 1e9 / SPEED_OF_LIGHT


def uma_los(d2d, *, fc_ghz, h_bs=25.0, h_ut=1.5):
    """PL1 = 28 + 22 log10 d3D + 20 log10 f_c up to d'_BP; beyond, up to 5 km,
    PL2 = 28 + 40 log10 d3D + 20 log10 f_c − 9 log10(d'_BP² + (h_BS − h_UT)²)."""
    FC_GHZ.check(fc_ghz), UMA_H_UT.check(h_ut)
    d2d = np.asarray(d2d, dtype=float)
    h_bs = np.broadcast_to(np.asarray(h_bs, dtype=float), d2d.shape)
    d3d = distance_3d(d2d, h_bs, h_ut)
    d_bp = uma_breakpoint(h_bs, h_ut, fc_ghz)
    pl1 = 28.0 + 22 * _log(d3d) + 20 * _log(fc_ghz)
    pl2 = 28.0 + 40 * _log(d3d) + 20 * _log(fc_ghz) - 9 * _log(np.square(d_bp) + np.square(h_bs - h_ut))
    return _within(np.where(d2d <= d_bp, pl1, pl2), UMA_MIN_M, UMA_MAX_M, d2d)


def uma_nlos(d2d, *, fc_ghz, h_bs=25.0, h_ut=1.5):
    """max(PL_UMa-LOS, PL') with PL' = 13.54 + 39.08 log10 d3D + 20 log10 f_c − 0.6 (h_UT − 1.5)."""
    d2d = np.asarray(d2d, dtype=float)
    h_bs = np.broadcast_to(np.asarray(h_bs, dtype=float), d2d.shape)
    los = uma_los(d2d, fc_ghz=fc_ghz, h_bs=h_bs, h_ut=h_ut)
    d3d = distance_3d(d2d, h_bs, h_ut)
    nlos = 13.54 + 39.08 * _log(d3d) + 20 * _log(fc_ghz) - 0.6 * (h_ut - 1.5)
    return _within(np.fmax(los, nlos), UMA_MIN_M, UMA_MAX_M, d2d)


# --- COST-231 Hata ---------------------------------------------------------------------------------

URBAN, SUBURBAN = "urban", "suburban"


def hata_mobile_correction(f_mhz, h_m, environment: str):
    """a(h_M): large city 3.2 (log10(11.75 h_M))² − 4.97 (f ≥ 400 MHz) in `urban`; small or
    medium city (1.1 log10 f − 0.7) h_M − (1.56 log10 f − 0.8) in `suburban`."""
    if environment == URBAN:
        return 3.2 * np.square(_log(11.75 * h_m)) - 4.97
    return (1.1 * _log(f_mhz) - 0.7) * h_m - (1.56 * _log(f_mhz) - 0.8)


def cost231_hata(d2d, *, f_mhz, h_bs=30.0, h_ut=1.5, environment: str = SUBURBAN):
    """L = 46.3 + 33.9 log10 f − 13.82 log10 h_B − a(h_M) + (44.9 − 6.55 log10 h_B) log10 d_km + C_M,
    C_M = 3 dB in `urban` (metropolitan centres), 0 dB in `suburban` (medium cities and suburbs);
    1–20 km."""
    if environment not in (URBAN, SUBURBAN):
        raise ValueError(f"environment must be {URBAN} or {SUBURBAN}")
    COST231_F_MHZ.check(f_mhz), COST231_H_B.check(h_bs), COST231_H_M.check(h_ut)
    d_km = np.asarray(d2d, dtype=float) / 1000
    h_bs = np.broadcast_to(np.asarray(h_bs, dtype=float), d_km.shape)
    c_m = 3.0 if environment == URBAN else 0.0
    loss = (
        46.3
        + 33.9 * _log(f_mhz)
        - 13.82 * _log(h_bs)
        - hata_mobile_correction(f_mhz, h_ut, environment)
        + (44.9 - 6.55 * _log(h_bs)) * _log(d_km)
        + c_m
    )
    return np.where((d_km >= COST231_MIN_KM) & (d_km <= COST231_MAX_KM), loss, np.nan)
