#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What must agree across the tree for packaging and operators: one version
# (VERSION, the driver's DRM version and MODULE_VERSION, dkms.conf,
# debian/changelog, every tool's --version), the kernels dkms.conf accepts
# (those of the admin guide), a Documentation/ABI entry for every sysfs
# file, every module parameter in tessera(4) and the admin guide, and a
# license text for every SPDX identifier.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

version=$(cat VERSION)
drm=$(sed -n 's/^#define DRIVER_MAJOR\t*\([0-9]*\)$/\1/p' driver/tessera_drv.h).$(sed -n 's/^#define DRIVER_MINOR\t*\([0-9]*\)$/\1/p' driver/tessera_drv.h)
dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
deb=$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$//')
echo "# VERSION $version, DRM $drm, dkms.conf $dkms, debian/changelog $deb"
check "the driver's DRM version is VERSION ($version)" test "$drm" = "$version"
check "dkms.conf's PACKAGE_VERSION is VERSION" test "$dkms" = "$version"
check "debian/changelog's upstream version is VERSION" test "$deb" = "$version"
if [ -e tessera.ko ]; then
	check "tessera.ko's MODULE_VERSION is VERSION" test "$(modinfo -F version tessera.ko)" = "$version"
fi
check "accel-smi --version" bash -c "tools/smi/accel-smi --version | grep -qx 'accel-smi $version'"
check "accel-bench --version" bash -c "tools/bench/accel-bench --version | grep -q '^accel-bench $version '"
check "accel-exporter --version" bash -c "tools/smi/accel-exporter --version | grep -qx 'accel-exporter $version'"
check "tessera-emu --version" bash -c "tools/emu/tessera-emu --version | grep -qx 'tessera-emu $version'"

# BUILD_EXCLUSIVE_KERNEL against the supported range, 6.12 to 7.3.
re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' dkms.conf)
bad=
for k in 6.12.95+deb12-amd64 6.12.117+deb13-amd64 6.13.1 6.19.3-amd64 7.0.0 7.2.12+deb13-amd64 7.3.4+deb13-amd64; do
	[[ $k =~ $re ]] || bad="$bad $k(refused)"
done
for k in 6.1.0-57-amd64 6.11.0-1-amd64 6.2.0 7.4.1-amd64 8.0.0 16.12.0; do
	[[ $k =~ $re ]] && bad="$bad $k(accepted)"
done
check "dkms.conf accepts 6.12 to 7.3 only ($re)${bad:+:$bad}" test -z "$bad"
check "the admin guide states the same range" grep -q 'Linux 6.12 through 7.3' Documentation/admin-guide.rst

missing=
for a in $(sed -n 's/^static DEVICE_ATTR_RO(\([a-z_]*\));$/\1/p; s/^TESSERA_ATTR_REG(\([a-z_]*\),.*/\1/p' driver/tessera_sysfs.c); do
	grep -q "^What:.*/tessera/$a\$" Documentation/ABI/testing/sysfs-driver-tessera || missing="$missing $a"
done
check "every sysfs attribute has a Documentation/ABI entry${missing:+ (missing:$missing)}" test -z "$missing"
missing=
for p in $(sed -n 's/^module_param_named(\([a-z_]*\),.*/\1/p' driver/*.c); do
	grep -q "^\*$p\*" Documentation/man/tessera.4.scd || missing="$missing $p(tessera.4)"
	grep -q "^\`\`$p\`\`" Documentation/admin-guide.rst || missing="$missing $p(admin-guide)"
done
check "every module parameter is in tessera(4) and the admin guide${missing:+ (missing:$missing)}" test -z "$missing"

missing=
ids=$(git ls-files | grep -v '^LICENSES/' |
	    xargs grep -hom1 -E '^(#|//|/\*|;|\.\.|<!--) ?SPDX-License-Identifier: .*' 2>/dev/null |
	    sed 's/.*SPDX-License-Identifier: //; s/ *\*\/.*//; s/ *-->.*//' | tr -d '()' |
	    tr ' ' '\n' | grep -vx 'OR\|AND\|WITH' | sort -u)
echo "# SPDX identifiers in the tree:" $ids
[ -n "$ids" ] || missing=" (none found)"
for id in $ids; do
	grep -qx "Valid-License-Identifier: $id" LICENSES/preferred/* 2>/dev/null ||
		grep -qx "SPDX-Exception-Identifier: $id" LICENSES/exceptions/* 2>/dev/null ||
		missing="$missing $id"
done
check "every SPDX identifier in the tree has its text in LICENSES/${missing:+ (missing:$missing)}" test -z "$missing"
echo "1..$n"
exit $failed
