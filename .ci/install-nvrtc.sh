#!/usr/bin/env bash
# Installs NVRTC (CUDA's runtime compiler; no GPU needed) from Debian's non-free component, so the tests compile every
# model's generated CUDA C. The machine's own apt sources stay as they are: non-free is read through a list of its own.
set -euo pipefail
if ldconfig -p | grep -q 'libnvrtc\.so\.\(13\|12\|11\.2\)'; then exit 0; fi
sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. /etc/os-release
cat > "$work/non-free.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME:-bookworm}
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
mkdir -p "$work/lists/partial"
apt_=(-o "Dir::Etc::sourcelist=$work/non-free.sources" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$work/lists")
echo "installing libnvrtc11.2 (Debian non-free)"
$sudo_ apt-get "${apt_[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $sudo_ apt-get "${apt_[@]}" install -y -qq --no-install-recommends libnvrtc11.2 >/dev/null
