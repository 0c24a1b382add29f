"""The static website: page contexts, templates, assets, the build and a preview server."""
