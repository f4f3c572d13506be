"""Path loss and throughput against values worked out by hand from the published formulas
(TR 38.901 Table 7.4.1-1, COST-231 Hata, TR 36.942 Annex A.2). log = log10; c = 299,792,458 m/s."""

import numpy as np
import pytest

from hatangso.analytics.measurements import linkbudget as lb
from hatangso.analytics.measurements import pathloss as pl


def close(actual, expected, tolerance=0.1):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), expected, atol=tolerance)


# RMa, fc = 1.8 GHz, h_BS = 35 m, h_UT = 1.5 m, h = 5 m, W = 20 m:
#   d_BP = 2π·35·1.5·1.8e9 / c = 329.867·6.00416 = 1980.57 m
#   h^1.72 = 5^1.72 = 15.929 → min(0.03·15.929, 10) = 0.47787, min(0.044·15.929, 14.77) = 0.70094
# d2D = 100 m: d3D = √(100² + 33.5²) = 105.462
#   PL1 = 20 log(40π·105.462·1.8/3) + 0.47787 log 105.462 − 0.70094 + 0.002 log 5 · 105.462
#       = 78.0091 + 0.9669 − 0.7009 + 0.1474 = 78.42
# d2D = 1000 m: d3D = 1000.561; PL1 = 97.5521 + 1.4339 − 0.7009 + 1.3987 = 99.68
# d2D = 5000 m > d_BP: PL1(d_BP) = 107.126; PL2 = 107.126 + 40 log(5000.112 / 1980.57) = 123.21
# fc = 0.7 GHz, h_BS = 50 m, h_UT = 2 m, d2D = 3000 m: d_BP = 2π·50·2·0.7e9 / c = 1467.09 m,
#   d3D = √(3000² + 48²) = 3000.384; PL1(d_BP) = 95.536; PL2 = 95.536 + 40 log(3000.384/1467.09) = 107.96
def test_rma_los_by_hand():
    close(pl.rma_breakpoint(35, 1.5, 1.8), 1980.57, 0.01)
    close(pl.rma_los([100, 1000, 5000], fc_ghz=1.8, h_bs=35, h_ut=1.5, h=5), [78.42, 99.68, 123.21])
    close(pl.rma_los([3000], fc_ghz=0.7, h_bs=50, h_ut=2), [107.96])


# RMa NLOS, same set-up, d2D = 1000 m:
#   PL' = 161.04 − 7.1 log 20 + 7.5 log 5 − (24.37 − 3.7 (5/35)²) log 35
#         + (43.42 − 3.1 log 35)(log 1000.561 − 3) + 20 log 1.8 − (3.2 (log(11.75·1.5))² − 4.97)
#       = 161.04 − 9.2373 + 5.2423 − 24.2945·1.54407 + 38.6334·0.000244 + 5.1055 − (−0.0009)
#       = 161.04 − 9.2373 + 5.2423 − 37.5124 + 0.0094 + 5.1055 + 0.0009 = 124.65  (> LOS 99.68)
# d2D = 100 m: PL' = 86.90 (> 78.42); d2D = 5000 m: 151.64 (> 123.21)
# fc 0.7, h_BS 50, h_UT 2, 3000 m: PL' = 129.77 (> 107.96)
def test_rma_nlos_is_the_larger_of_los_and_nlos():
    close(pl.rma_nlos([100, 1000, 5000], fc_ghz=1.8, h_bs=35, h_ut=1.5), [86.90, 124.65, 151.64])
    close(pl.rma_nlos([3000], fc_ghz=0.7, h_bs=50, h_ut=2), [129.77])


# UMa, fc = 3.5 GHz, h_BS = 25 m, h_UT = 1.5 m:
#   d'_BP = 4 (25 − 1)(1.5 − 1)·3.5e9 / c = 48·11.6747 = 560.39 m
#   d2D = 200 m ≤ d'_BP: d3D = √(200² + 23.5²) = 201.376; PL1 = 28 + 22 log 201.376 + 20 log 3.5
#       = 28 + 50.6876 + 10.8814 = 89.57
#   d2D = 1000 m > d'_BP: d3D = 1000.276; PL2 = 28 + 40 log 1000.276 + 10.8814 − 9 log(560.39² + 23.5²)
#       = 28 + 120.0048 + 10.8814 − 49.4797 = 109.41
#   d2D = 3000 m: PL2 = 128.49
# fc = 1.8 GHz, h_BS = 30, h_UT = 2, d2D = 150 m: d'_BP = 4·29·1·1.8e9/c = 696.48 m, d3D = 152.591,
#   PL1 = 28 + 22 log 152.591 + 20 log 1.8 = 81.14
def test_uma_los_by_hand():
    close(pl.uma_breakpoint(25, 1.5, 3.5), 560.39, 0.01)
    close(pl.uma_los([200, 1000, 3000], fc_ghz=3.5, h_bs=25, h_ut=1.5), [89.57, 109.41, 128.49])
    close(pl.uma_los([150], fc_ghz=1.8, h_bs=30, h_ut=2), [81.14])


# UMa NLOS: PL' = 13.54 + 39.08 log d3D + 20 log fc − 0.6 (h_UT − 1.5)
#   3.5 GHz, 200 m: 13.54 + 39.08·2.30402 + 10.8814 − 0 = 114.46 (> 89.57)
#   1000 m: 13.54 + 39.08·3.00012 + 10.8814 = 141.67; 3000 m: 160.31
#   1.8 GHz, h_BS 30, h_UT 2, 150 m: 13.54 + 39.08 log 152.591 + 5.1055 − 0.3 = 103.68
def test_uma_nlos_by_hand():
    close(pl.uma_nlos([200, 1000, 3000], fc_ghz=3.5, h_bs=25, h_ut=1.5), [114.46, 141.67, 160.31])
    close(pl.uma_nlos([150], fc_ghz=1.8, h_bs=30, h_ut=2), [103.68])


# COST-231 Hata, f = 1800 MHz, h_B = 30 m, h_M = 1.5 m:
#   33.9 log 1800 = 110.3537; 13.82 log 30 = 20.4138; slope 44.9 − 6.55 log 30 = 35.2249
#   suburban a(h_M) = (1.1 log 1800 − 0.7)·1.5 − (1.56 log 1800 − 0.8) = 0.0430, C_M = 0:
#     1 km: 46.3 + 110.3537 − 20.4138 − 0.0430 + 0 = 136.20;  5 km: 136.197 + 35.2249·log 5 = 160.82
#   urban a(h_M) = 3.2 (log(11.75·1.5))² − 4.97 = −0.0009, C_M = 3:
#     1 km: 46.3 + 110.3537 − 20.4138 + 0.0009 + 3 = 139.24;  5 km: 163.86
# f = 2000, h_B = 50, h_M = 3, 10 km: suburban a = 4.4438 → 46.3 + 111.9049 − 23.4798 − 4.4438
#     + 33.7717 = 164.05; urban a = 2.6898 → 168.81
def test_cost231_hata_by_hand():
    close(pl.cost231_hata([1000, 5000], f_mhz=1800, h_bs=30, h_ut=1.5), [136.20, 160.82])
    close(pl.cost231_hata([1000, 5000], f_mhz=1800, h_bs=30, h_ut=1.5, environment="urban"), [139.24, 163.86])
    close(pl.cost231_hata([10_000], f_mhz=2000, h_bs=50, h_ut=3), [164.05])
    close(pl.cost231_hata([10_000], f_mhz=2000, h_bs=50, h_ut=3, environment="urban"), [168.81])


def test_distances_outside_a_model_give_no_value_and_heights_outside_raise():
    assert np.isnan(pl.rma_nlos([5, 6000], fc_ghz=1.8)).all()
    assert not np.isnan(pl.rma_los([6000], fc_ghz=1.8)).any()  # RMa LOS reaches 10 km
    assert np.isnan(pl.uma_nlos([5, 5001], fc_ghz=3.5)).all()
    assert np.isnan(pl.cost231_hata([500, 25_000], f_mhz=1800)).all()
    with pytest.raises(ValueError, match="RMa base-station height"):
        pl.rma_los([100], fc_ghz=1.8, h_bs=5)
    with pytest.raises(ValueError, match="COST-231 frequency"):
        pl.cost231_hata([1000], f_mhz=3500)
    # Per-station heights are arrays: one value per distance.
    close(pl.uma_los([200, 150], fc_ghz=1.8, h_bs=np.array([25.0, 30.0]), h_ut=2)[1:], [81.14])


# Noise over 20 MHz with NF 7 dB: −174 + 10 log(20e6) + 7 = −174 + 73.0103 + 7 = −93.99 dBm.
# SINR: S = −70 dBm = 1e−7 mW; two interferers at −80 dBm = 2e−8 mW, load 0.5 → 1e−8 mW;
#   N = 10^(−9.4) = 3.981e−10 mW; SINR = 1e−7 / 1.0398e−8 = 9.6171 → 9.83 dB.
def test_noise_and_sinr_by_hand():
    close(lb.thermal_noise_dbm(20e6, 7), -93.99, 0.01)
    close(lb.sinr_db(-70, 2e-8, -94, 0.5), 9.83, 0.01)
    best, signal, sinr = lb.serving_sinr(np.array([[-80, -70, -80], [np.nan, np.nan, np.nan]]), -94, 0.5)
    assert best[0] == 1
    close(signal[0], -70, 1e-9)
    close(sinr[0], 9.83, 0.01)
    assert np.isnan(sinr[1]) and np.isnan(signal[1])


# Attenuated Shannon, α = 0.6, SE_max = 4.4: SINR_max = 10 log(2^(4.4/0.6) − 1) = 22.05 dB
#   10 dB: 0.6 log2(1 + 10) = 0.6·3.45943 = 2.0757;  −9.5 dB: 0.6 log2(1 + 0.11220) = 0.0921
#   −10.5 dB < SINR_min: 0;  30 dB ≥ SINR_max: 4.4;  no signal (NaN): 0
#   α = 0.75, 5 dB: 0.75 log2(1 + 3.16228) = 1.5430
# Rate: 2.0757 bit/s/Hz × 20 MHz × 2 layers × (1 − 0.5) = 41.51 Mb/s
def test_attenuated_shannon_by_hand():
    close(lb.Shannon().sinr_cap_db, 22.05, 0.01)
    close(lb.spectral_efficiency([10, -9.5, -10.5, 30, np.nan]), [2.0757, 0.0921, 0, 4.4, 0], 0.001)
    close(lb.spectral_efficiency([5], lb.Shannon(alpha=0.75)), [1.5430], 0.001)
    close(lb.spectral_efficiency([20], lb.Shannon(sinr_max_db=15)), [4.4], 0.001)
    close(lb.throughput_mbps(2.0757, bandwidth_mhz=20, load=0.5, layers=2), 41.51, 0.01)
