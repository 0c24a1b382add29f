"""The commands that write notebooks: ``notebook`` (a region's) and ``recipes`` (the collection)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..files import write_atomic
from .group import Context, cli, count, err, pass_context, show_table

__all__ = ["notebook_command", "recipes_command"]


@cli.command("notebook")
@click.argument("region_ids", nargs=-1, metavar="[REGION_ID]...")
@click.option("--all", "all_regions", is_flag=True, help="Every region with a page.")
@click.option(
    "--out",
    metavar="PATH",
    help="The notebook's file for one region ('-' for stdout), else a folder "
    "[default: REGION_ID.ipynb in the current folder].",
)
@pass_context
def notebook_command(
    obj: Context, region_ids: tuple[str, ...], all_regions: bool, out: str | None
) -> None:
    """Write a region's Jupyter notebook: its page's headline numbers and charts on the
    public Python API, what each metric means, and cells to change (the same notebook as the
    site's download). It runs offline against your store and fills an empty one first."""
    from ..site.notebooks import region_notebooks

    if bool(region_ids) == all_regions:
        msg = "name one or more REGION_IDs, or give --all (not both)"
        raise UsageError(msg)
    made = region_notebooks(obj.settings, None if all_regions else region_ids)
    single = len(set(region_ids)) == 1
    if out == "-":
        if not single:
            msg = "--out - writes one notebook: name one REGION_ID"
            raise UsageError(msg)
        click.echo(next(iter(made))[1])
        return
    target = Path(out or ".")
    to_file = (
        single and out is not None and not target.is_dir() and not out.endswith("/")
    )
    if not to_file and (
        (target.exists() and not target.is_dir()) or target.suffix == ".ipynb"
    ):
        msg = f"--out {out} is a file: expected a folder for several notebooks"
        raise UsageError(msg)
    written: list[Path] = []
    for region_id, text in made:
        path = target if to_file else target / f"{region_id}.ipynb"
        write_atomic(path, text + "\n")
        written.append(path)
    where = (
        written[0] if len(written) == 1 else f"{len(written):,} notebooks to {target}"
    )
    err.print(f"wrote {where}")


@cli.command("recipes")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option(
    "--out",
    metavar="DIR",
    help="Write the recipes (all, or those named) as notebooks into this folder.",
)
def recipes_command(names: tuple[str, ...], out: str | None) -> None:
    """List the recipe collection: notebooks on the public Python API that compare regions,
    reproduce RKI's numbers, estimate R, find anomalies, export, bring your own data and
    redo OSCOVIDA's plots. With --out, write them as notebooks to open in Jupyter."""
    from ..notebooks.recipes import get_recipe, recipes

    try:
        chosen = [get_recipe(n) for n in names] if names else list(recipes())
    except KeyError as exc:
        raise UsageError(exc.args[0]) from exc
    if out is None:
        rows = [(r.name, r.title, r.summary) for r in chosen]
        show_table(("name", "title", "summary"), rows, f"{len(chosen)} recipes")
        err.print("write them as notebooks: epicurves recipes --out DIR")
        return
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        msg = f"--out {out} is a file: expected a folder"
        raise UsageError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    for recipe in chosen:
        write_atomic(folder / recipe.filename, recipe.notebook() + "\n")
    err.print(f"wrote {count(len(chosen), 'recipe')} to {folder}")
