"""Regenerate the simulated sample recordings in this folder (seeded: same bytes every run).

    python data/make_samples.py
"""

from pathlib import Path

from movement.simulate import simulate, write_simulation

HERE = Path(__file__).resolve().parent

# 2 min of wrist accelerometry at 100 Hz (g): twitches, dystonic episodes, walking, reaching
write_simulation(simulate("accel", 120.0, seed=7, snr_db=12.0), HERE, "sim_wrist_accel", format="csv")
# 1 min of 2-channel forearm surface EMG at 2 kHz (mV): MUAP-like twitches, co-contraction
write_simulation(simulate("emg", 60.0, seed=11, snr_db=12.0), HERE, "sim_forearm_emg", format="npy")
