#!/usr/bin/env bash
# Writes fixtures/lang/catalogs/pgNN/LANG.po: the entries pgsift reads of
# PostgreSQL's backend message catalogs, one folder per major (10-18). Run it
# again to refresh them, then regenerate the table:
#   tools/lang/make_messages.py generate > analyzer/input/messages_i18n.inc
#
# Usage: tools/lang/extract_catalogs.sh IVORYSQL_GIT_DIR
#   IVORYSQL_GIT_DIR: a clone of github.com/IvorySQL/IvorySQL (it carries
#   PostgreSQL's own release tags REL_10_18 ... REL_13_4, and its release
#   branches hold PostgreSQL 14.23, 16.4, 17.6 and 18.4's src/backend/po).
# Major 15 comes from Debian's postgresql-15 package (ci/setup installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:?usage: $0 IVORYSQL_GIT_DIR}
extract() { python3 "$here/make_messages.py" extract "$@"; }

for tag in REL_10_18 REL_11_13 REL_12_8 REL_13_4; do
  major=${tag#REL_}
  major=${major%%_*}
  commit=$(git -C "$repo" rev-parse "$tag^{commit}")
  extract --major "$major" --git "$repo:$commit" --source "PostgreSQL tag $tag, commit $commit"
done
for spec in 14:IVORYSQL_REL_1_STABLE:14.23 16:IVORY_REL_3_STABLE:16.4 17:IVORY_REL_4_STABLE:17.6 18:IVORY_REL_5_STABLE:18.4; do
  IFS=: read -r major branch version <<<"$spec"
  commit=$(git -C "$repo" rev-parse "$branch^{commit}")
  grep -q "\[PostgreSQL\], \[$version\]" <(git -C "$repo" show "$commit:configure.ac") ||
    { echo "$branch is not PostgreSQL $version any more" >&2; exit 1; }
  extract --major "$major" --git "$repo:$commit" --source "PostgreSQL $version, IvorySQL branch $branch, commit $commit"
done
version=$(dpkg-query -W -f '${Version}' postgresql-15)
extract --major 15 --mo-glob '/usr/share/locale/*/LC_MESSAGES/postgres-15.mo' \
  --source "Debian postgresql-15 $version, postgres-15.mo"
