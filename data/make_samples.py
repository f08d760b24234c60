"""Regenerate the simulated sample recordings in this folder (seeded: same bytes every run).

    python data/make_samples.py
"""

from pathlib import Path

from movement.simulate import simulate, write_simulation

HERE = Path(__file__).resolve().parent

# The seeds were chosen by the true events alone (never by what movement finds): of seeds 1-99,
# the first whose recording holds >= 2 dystonia-like, >= 3 fasciculation-like and >= 2 other
# events, with the most kinds of event (subtypes), so that the samples show every class.
# 2 min of wrist accelerometry at 100 Hz (g): twitches, a spasm and a held posture, walking,
# reaching and a knock
write_simulation(simulate("accel", 120.0, seed=18, snr_db=12.0), HERE, "sim_wrist_accel", format="csv")
# 1 min of 2-channel forearm surface EMG at 2 kHz (mV): MUAP-like twitches and a doublet,
# co-contraction and dystonic tremor, reaching and a knock
write_simulation(simulate("emg", 60.0, seed=3, snr_db=12.0), HERE, "sim_forearm_emg", format="npy")
