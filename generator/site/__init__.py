"""Site stage: the only writers of the built site.

The build as a list of stages (gather and check, compute, render, stage, engine build, atomic
swap), the image cache, the site engine (MkDocs today) and the live preview.
"""
