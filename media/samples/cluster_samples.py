# Mixscope's code lenses: above each string that names a data file beside this script, "Cluster this dataset" fits
# it with the mixscope.* settings and "…with options" asks for the model, K and columns first.
import numpy as np
import pandas as pd

faithful = pd.read_csv("faithful.csv")  # Old Faithful: duration and waiting time of 272 eruptions
iris = pd.read_csv("iris.csv")  # Fisher's iris: four measurements and the species

# 2,000 MNIST digits: a 16-byte IDX header, then 28 × 28 bytes per image
with open("mnist-2000-images-idx3-ubyte", "rb") as f:
    digits = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
