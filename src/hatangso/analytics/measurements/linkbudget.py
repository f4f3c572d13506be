"""From path loss to downlink throughput, vectorised: received power, noise, SINR under load,
and the attenuated Shannon bound of 3GPP TR 36.942 Annex A.2.

    P_rx = EIRP − PL + G_rx                                      (dBm)
    N    = −174 dBm/Hz + 10 log10(B) + NF                        (dBm, B in Hz)
    SINR = S / (N + η Σ I_j)     η = cell load, I_j the other cells of the operator (mW)
    SE   = 0                       if SINR < SINR_min
         = α log2(1 + SINR)        if SINR_min ≤ SINR < SINR_max
         = SE_max                  if SINR ≥ SINR_max            (bit/s/Hz)
    R    = SE · B · layers · (1 − η)                             (the user's share of the carrier)

TR 36.942 Table A.2 downlink: α = 0.6, SINR_min = −10 dB, SE_max = 4.4 bit/s/Hz; SINR_max defaults
to where α log2(1 + SINR) reaches SE_max (≈ 22 dB for α = 0.6).
"""

from dataclasses import dataclass

from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")

THERMAL_NOISE_DBM_HZ = -174.0


@dataclass(frozen=True)
class Shannon:
    alpha: float = 0.6
    sinr_min_db: float = -10.0
    max_se: float = 4.4
    sinr_max_db: float | None = None

    @property
    def sinr_cap_db(self) -> float:
        if self.sinr_max_db is not None:
            return self.sinr_max_db
        return float(10 * np.log10(2 ** (self.max_se / self.alpha) - 1))


def dbm_to_mw(dbm):
    return np.power(10.0, np.asarray(dbm, dtype=float) / 10)


def mw_to_dbm(mw):
    with np.errstate(divide="ignore"):
        return 10 * np.log10(mw)


def thermal_noise_dbm(bandwidth_hz, noise_figure_db):
    return THERMAL_NOISE_DBM_HZ + 10 * np.log10(bandwidth_hz) + noise_figure_db


def received_power_dbm(eirp_dbm, path_loss_db, rx_gain_db=0.0):
    """NaN path loss (out of the model's range) gives NaN: no signal."""
    return np.asarray(eirp_dbm, dtype=float) - path_loss_db + rx_gain_db


def sinr_db(signal_dbm, interference_mw, noise_dbm, load):
    """SINR with the interferers' summed power (mW) scaled by the load η."""
    signal = dbm_to_mw(signal_dbm)
    return 10 * np.log10(signal / (dbm_to_mw(noise_dbm) + load * np.asarray(interference_mw, dtype=float)))


def spectral_efficiency(sinr, shannon: Shannon = Shannon()):
    """bit/s/Hz from SINR in dB (NaN counts as no signal: 0)."""
    sinr = np.asarray(sinr, dtype=float)
    linear = np.power(10.0, sinr / 10)
    se = np.minimum(shannon.alpha * np.log2(1 + linear), shannon.max_se)
    se = np.where(sinr >= shannon.sinr_cap_db, shannon.max_se, se)
    return np.where(np.isnan(sinr) | (sinr < shannon.sinr_min_db), 0.0, se)


def throughput_mbps(se, *, bandwidth_mhz, load, layers=1):
    """The user's downlink rate: SE × bandwidth × MIMO layers × the share (1 − load) left to them."""
    return np.asarray(se, dtype=float) * bandwidth_mhz * layers * (1 - load)


def serving_sinr(received_dbm, noise_dbm, load):
    """Per row of `received_dbm` (one row per place, one column per candidate cell of one operator
    and band; NaN = out of range): the strongest cell serves, the others interfere, scaled by
    load. Returns (index of the serving column, its received power, SINR in dB); NaN where no
    cell reaches the place."""
    received_dbm = np.asarray(received_dbm, dtype=float)
    power = np.where(np.isnan(received_dbm), 0.0, dbm_to_mw(received_dbm))
    reached = np.any(~np.isnan(received_dbm), axis=1)
    best = np.argmax(power, axis=1)
    signal = np.take_along_axis(power, best[:, None], axis=1)[:, 0]
    interference = power.sum(axis=1) - signal
    with np.errstate(divide="ignore", invalid="ignore"):
        sinr = 10 * np.log10(signal / (dbm_to_mw(noise_dbm) + load * interference))
        signal_dbm = mw_to_dbm(signal)
    return best, np.where(reached, signal_dbm, np.nan), np.where(reached, sinr, np.nan)
