"""Plans and bounds beyond a back end's own search: relax-fix-round (:mod:`.relax_fix_round`),
run flips (:mod:`.flips`), branching on the trains (:mod:`.branching`) and the
large-neighbourhood search (:mod:`.lns`)."""
