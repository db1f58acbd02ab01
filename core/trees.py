"""Bulk creation of treebeard materialized-path nodes (imports, synthetic data): paths computed in Python,
numchild kept right, a constant number of queries whatever the number of nodes."""

from collections import defaultdict

from django.db.models import Case, F, IntegerField, Max, Value, When
from django.db.models.functions import Length, Substr


class PathAllocator:
    """Hands out the next free child path under each parent (or at root level). Create it inside the
    transaction that inserts the nodes: it locks the existing parents until that transaction ends."""

    def __init__(self, model, parents):
        self.model = model
        self.steplen = model.steplen
        self.next_step = {}
        self.added = defaultdict(int)
        existing_parents = [p for p in parents if p is not None and p.pk is not None]
        if existing_parents:
            # Two imports adding children under the same parent at once would compute the same next path:
            # lock the parents (inside the caller's transaction; a no-op where the database cannot lock rows).
            list(model.objects.select_for_update().filter(pk__in={p.pk for p in existing_parents})
                 .order_by("pk").values_list("pk", flat=True))
            rows = (model.objects.order_by().annotate(parent_path=Substr("path", 1, Length("path") - self.steplen))
                    .filter(parent_path__in=[p.path for p in existing_parents])
                    .values("parent_path").annotate(last=Max("path")))
            for row in rows:
                self.next_step[row["parent_path"]] = model._str2int(row["last"][-self.steplen:]) + 1
        last_root = model.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        self.next_step[""] = model._str2int(last_root) + 1 if last_root else 1

    def place(self, node, parent):
        """Give `node` (unsaved) its path and depth under `parent` (None for a root)."""
        base = parent.path if parent is not None else ""
        step = self.next_step.get(base, 1)
        self.next_step[base] = step + 1
        node.depth = (parent.depth if parent is not None else 0) + 1
        node.path = self.model._get_path(base, node.depth, step)
        node.numchild = 0
        if parent is not None:
            if parent.pk is None:
                parent.numchild = (parent.numchild or 0) + 1
            else:
                self.added[parent.pk] += 1
        return node

    def update_existing_parents(self):
        """One UPDATE adding the new children to existing parents' numchild."""
        if not self.added:
            return
        self.model.objects.filter(pk__in=list(self.added)).update(numchild=F("numchild") + Case(
            *[When(pk=pk, then=Value(n)) for pk, n in self.added.items()], output_field=IntegerField()))


def parents_first(items, key, parent_key):
    """Order items so that an item whose parent is also among them comes after that parent."""
    by_key = {key(item): item for item in items}
    ordered, seen, visiting = [], set(), set()

    def visit(item):
        k = key(item)
        if k in seen:
            return
        if k in visiting:  # a cycle: let validation report it
            return
        visiting.add(k)
        parent = by_key.get(parent_key(item))
        if parent is not None:
            visit(parent)
        visiting.discard(k)
        seen.add(k)
        ordered.append(item)

    for item in items:
        visit(item)
    return ordered
