"""Built-in vendor plugins: one sub-package per PBX vendor."""
