"""What each map layer is: its table, columns and how its features are built."""

from layers.registry import LAYERS, Layer, get_layer

__all__ = ["LAYERS", "Layer", "get_layer"]
