"""Engine glue: ``bge``, ``pygame``, ``panda3d`` and ``headless``. Import the one you need.

Nothing here is imported by ``gameservices`` itself, because ``bge`` exists only inside Blender.
"""
