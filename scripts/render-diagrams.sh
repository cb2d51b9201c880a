#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Renders PlantUML diagrams to SVG for the book (book/CMakeLists.txt runs it
# as the book-diagrams target).
#
#   scripts/render-diagrams.sh OUT_DIR PLANTUML -- diagrams/NN-topic-kind.puml ...
#
# Fails (exit 1) when a file is not named NN-topic-kind.puml, when PlantUML
# finds an error in any diagram, when it does not write exactly
# OUT_DIR/<name>.svg for each input ("@startuml name" renames the output, a
# second @startuml block in one file makes _001 files), or when an SVG holds
# PlantUML's error picture instead of the diagram. OUT_DIR is emptied first,
# so a deleted diagram cannot linger and satisfy a chapter's \image.
set -euo pipefail

out_dir=$1
plantuml=$2
shift 2
if [ "${1:-}" = "--" ]; then shift; fi

mkdir -p "$out_dir"
rm -f "$out_dir"/*.svg "$out_dir"/*.png
if [ $# -eq 0 ]; then
  exit 0
fi

# Names follow DESIGN.md: NN-topic-kind.puml (00-cluster-overview.puml,
# 03-sender-sequence.puml), lower case, so chapters can guess them.
for src in "$@"; do
  if ! [[ $(basename "$src") =~ ^[0-9]{2}(-[a-z0-9]+)+\.puml$ ]]; then
    echo "render-diagrams: $src: name it NN-topic-kind.puml (lower case)" >&2
    exit 1
  fi
done

# PlantUML exits 200 when any diagram has an error and names the file and
# line ("Error line 2 in file: ..."); -failfast2 would stop sooner but
# without naming the file, so every diagram is rendered and the code checked.
if ! "$plantuml" -charset UTF-8 -tsvg -nometadata -o "$out_dir" "$@"; then
  echo "render-diagrams: PlantUML reported an error (see above)" >&2
  exit 1
fi

status=0
for src in "$@"; do
  svg="$out_dir/$(basename "${src%.puml}").svg"
  if [ ! -s "$svg" ]; then
    echo "render-diagrams: $src: expected $svg; use a bare @startuml and one diagram per file" >&2
    status=1
  elif grep -qE 'Syntax Error\?|An error has occured|Cannot find Graphviz|Dot executable' "$svg"; then
    echo "render-diagrams: $src: PlantUML drew an error picture into $svg" >&2
    status=1
  fi
done
extra=$(find "$out_dir" -maxdepth 1 -name '*_[0-9][0-9][0-9].svg' | head -n 1)
if [ -n "$extra" ]; then
  echo "render-diagrams: $extra: one diagram per .puml file, please" >&2
  status=1
fi
exit $status
