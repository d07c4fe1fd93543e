"""The second book's ``common.config``: ``GPU``, whether its code runs on CuPy. This library
runs on NumPy only, so it is False; setting it True makes ``common.util.to_gpu`` say so."""

GPU = False
