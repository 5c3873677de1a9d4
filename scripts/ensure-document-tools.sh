#!/usr/bin/env bash
# What documents need from Debian: pango and HarfBuzz-Subset for WeasyPrint (font subsetting;
# without it WeasyPrint warns, and the suite makes warnings errors), DejaVu fonts (every
# Lithuanian letter; nothing is fetched at run time) and poppler-utils (pdftotext, for tests).
#
#   scripts/ensure-document-tools.sh
#
# Idempotent: installs only what is missing, with apt (sudo when not root).
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "document tools already installed"
    exit 0
fi
echo "installing ${missing[*]} with apt"
if [[ "$(id -u)" -ne 0 ]]; then sudo=sudo; else sudo=; fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
