#!/bin/sh
# Builds Relational's CSS and copies GOV.UK Frontend's JavaScript into static/.
#
#   cd frontend && npm ci && npm run build        (or: sh frontend/build.sh after npm ci)
#
# The output is committed, so running the site never needs Node. Run this after changing
# anything in frontend/scss/ or the pinned versions in package.json, and commit static/ with it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
static="$here/../static"
govuk="$here/node_modules/govuk-frontend/dist/govuk"

if [ ! -d "$govuk" ]; then
  echo "frontend/node_modules is missing: run 'npm ci' in frontend/ first" >&2
  exit 1
fi

mkdir -p "$static/css" "$static/govuk"

# GOV.UK Frontend 5 still uses Sass @import and older built-ins: --quiet-deps hides the
# warnings from inside node_modules, and the import deprecation is silenced for our own entry.
"$here/node_modules/.bin/sass" \
  --load-path="$here/node_modules/govuk-frontend/dist" \
  --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import --silence-deprecation=global-builtin \
  "$here/scss/relational.scss" "$static/css/relational.css"

# GOV.UK Frontend's JavaScript is an ES module; static/js/init.js imports it and calls initAll().
cp "$govuk/govuk-frontend.min.js" "$static/govuk/govuk-frontend.min.js"
# The package ships no licence file, so write its MIT notice next to the copy.
cat > "$static/govuk/LICENSE.txt" <<'LICENCE'
govuk-frontend.min.js is GOV.UK Frontend (https://github.com/alphagov/govuk-frontend),
copied unchanged from the npm package govuk-frontend. static/css/relational.css is compiled
from its Sass. GOV.UK Frontend is released under the MIT License:

The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

# Guards: GDS Transport and the crown and crest belong to GOV.UK alone, and every url() the CSS
# uses must exist under static/.
if grep -qi -e "gds transport" -e "govuk-crest" -e "crown" "$static/css/relational.css"; then
  echo "static/css/relational.css mentions GOV.UK's typeface, crown or crest" >&2
  exit 1
fi
for url in $(grep -o 'url([^)]*)' "$static/css/relational.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/["'"'"']//g' | grep '^/static/' || true); do
  if [ ! -f "$static/${url#/static/}" ]; then
    echo "static/css/relational.css refers to $url, which is not in static/" >&2
    exit 1
  fi
done

echo "Built static/css/relational.css ($(wc -c < "$static/css/relational.css") bytes) and static/govuk/govuk-frontend.min.js"
