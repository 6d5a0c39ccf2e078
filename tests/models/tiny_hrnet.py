"""A reduced HRNet configuration for fast model tests on every backend."""

#: A reduced HRNet with the same structure as W18 (4 stages, 2 modules in stages 3-4).
TINY_HRNET_STAGES = {
    "stage1": dict(num_modules=1, num_branches=1, block="BOTTLENECK",
                   num_blocks=(1,), num_channels=(8,)),
    "stage2": dict(num_modules=1, num_branches=2, block="BASIC",
                   num_blocks=(1, 1), num_channels=(4, 8)),
    "stage3": dict(num_modules=2, num_branches=3, block="BASIC",
                   num_blocks=(1, 1, 1), num_channels=(4, 8, 16)),
    "stage4": dict(num_modules=2, num_branches=4, block="BASIC",
                   num_blocks=(1, 1, 1, 1), num_channels=(4, 8, 16, 32),
                   multiscale_output=True),
}  # fmt: skip
