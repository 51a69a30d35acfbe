#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build what the VM tests boot, once, into a cache: Debian's current kernel
# (uncompressed, to boot as PVH), its modules plus vkms.ko built out of
# tree (Debian does not ship vkms), and a small initramfs (tests/vm/init
# and a static busybox).  Prints the directory that holds them.
#
#   tests/vm/prepare.sh            build what is missing, print the directory
#   RAMPART_VM_CACHE=DIR           where (default /var/tmp/rampart-vm)
#
# The cache is keyed by the kernel's ABI (one directory each) and, inside,
# by the package version and a hash of the initramfs's inputs, so a newer
# kernel or a changed init is rebuilt and nothing else.  Several tests may
# call this at once: the first builds, the others wait on a lock.
#
# Exit status: 0 ready; 77 QEMU is not there and cannot be installed (the
# only reason a VM test may skip); 1 anything else (a download or a build
# that failed is a failure, not a skip).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${RAMPART_VM_CACHE:-/var/tmp/rampart-vm}
PYTHON=/usr/bin/python3
# Raise when build_kernel changes what it makes: caches rebuild.
KERNEL_RECIPE=2
# What the harness and the guest-side tests need on the host (the guest
# runs the host's binaries).  .ci/deps installs the same.
PACKAGES="qemu-system-x86 busybox-static libdrm-tests kmod xz-utils zstd
	python3 python3-pil make gcc-12 libc6-dev"

say() {
	echo "prepare.sh: $*" >&2
}

die() {
	say "$*"
	exit 1
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

apt_install() {
	is_root || return 1
	say "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
	    </dev/null >&2 ||
	{ DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
	    </dev/null >&2; }
}

# --- tools -------------------------------------------------------------------

check_tools() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! apt_install "${missing[@]}"; then
		if ! command -v qemu-system-x86_64 >/dev/null; then
			say "qemu-system-x86_64 is missing and cannot be" \
			    "installed (${missing[*]})"
			exit 77
		fi
		die "missing packages that cannot be installed: ${missing[*]}"
	fi
}

# --- the kernel --------------------------------------------------------------

# The ABI of the kernel Debian currently ships (linux-image-amd64 depends on
# linux-image-ABI-amd64), and the version of its unsigned package.
find_kernel() {
	# apt-cache takes seconds: what it said holds until apt's lists change.
	if [ -f "$CACHE/current" ] &&
	    [ "$CACHE/current" -nt /var/lib/apt/lists ]; then
		read -r abi version <"$CACHE/current"
		[ -n "$version" ] && return 0
	fi
	abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n 1)
	if [ -z "$abi" ] && is_root; then
		say "apt knows no linux-image-amd64: apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
		    die "apt-get update failed"
		abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
		    sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' |
		    head -n 1)
	fi
	[ -n "$abi" ] || die "cannot find the kernel ABI" \
	    "(apt-cache depends linux-image-amd64)"
	version=$(apt-cache policy "linux-image-$abi-amd64-unsigned" |
	    sed -n 's/^ *Candidate: //p')
	[ -n "$version" ] && [ "$version" != "(none)" ] ||
	    die "no version of linux-image-$abi-amd64-unsigned to download"
	echo "$abi $version" >"$CACHE/current"
}

# download PACKAGE...: the .debs of this exact version into $CACHE/debs.
download() {
	local p need=() opts=()
	mkdir -p "$CACHE/debs"
	for p in "$@"; do
		ls "$CACHE/debs/${p}_${version}_"*.deb >/dev/null 2>&1 ||
		    need+=("$p=$version")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	# As root, apt would hand the download to its _apt user, which
	# cannot write here.
	is_root && opts=(-o APT::Sandbox::User=root)
	say "downloading ${need[*]}"
	if ! (cd "$CACHE/debs" && apt-get download -q "${opts[@]}" \
	    "${need[@]}" >&2); then
		if is_root; then
			say "download failed: apt-get update and once more"
			DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
			(cd "$CACHE/debs" && apt-get download -q \
			    "${opts[@]}" "${need[@]}" >&2) ||
			    die "cannot download ${need[*]}"
		else
			die "cannot download ${need[*]}"
		fi
	fi
}

deb() {
	echo "$CACHE/debs/${1}_${version}_"*.deb
}

build_kernel() {
	local tmp=$dir/tmp.kernel hdr kver vkms
	local image=linux-image-$abi-amd64-unsigned
	local headers=linux-headers-$abi-amd64
	local common=linux-headers-$abi-common
	local kbuild=linux-kbuild-${abi%%.0-*} source=linux-source-${abi%%.0-*}

	download "$image" "$headers" "$common" "$kbuild" "$source"
	rm -rf "$tmp"
	mkdir -p "$tmp"

	say "extracting the kernel $abi ($version)"
	dpkg -x "$(deb "$image")" "$tmp/image"
	$PYTHON "$here/extract-vmlinux.py" "$tmp/image/boot/vmlinuz-$abi-amd64" \
	    "$tmp/vmlinux" || die "cannot extract vmlinux"
	mkdir -p "$tmp/mod/lib"
	mv "$tmp/image/lib/modules" "$tmp/mod/lib/modules"
	kver=$(ls "$tmp/mod/lib/modules")
	[ -d "$tmp/mod/lib/modules/$kver/kernel" ] ||
	    die "no modules in $image"

	# vkms, out of tree, against the headers of this very kernel.  The
	# headers' Makefile includes the common part by its absolute path
	# under /usr/src: point it at the extracted tree instead.
	say "building vkms.ko"
	for p in "$headers" "$common" "$kbuild"; do
		dpkg -x "$(deb "$p")" "$tmp/hdr"
	done
	hdr=$tmp/hdr/usr/src/linux-headers-$abi-amd64
	sed -i "s|^include /usr/src/|include $tmp/hdr/usr/src/|" "$hdr/Makefile"
	dpkg-deb --fsys-tarfile "$(deb "$source")" |
	    tar -xO "./usr/src/$source.tar.xz" |
	    tar -xJ -C "$tmp" --wildcards "$source/drivers/gpu/drm/vkms/*" ||
	    die "cannot extract drivers/gpu/drm/vkms from $source"
	vkms=$tmp/$source/drivers/gpu/drm/vkms
	make -s -C "$hdr" M="$vkms" CONFIG_DRM_VKMS=m -j2 modules >&2 ||
	    die "building vkms.ko failed"
	mkdir -p "$tmp/mod/lib/modules/$kver/extra"
	cp "$vkms/vkms.ko" "$tmp/mod/lib/modules/$kver/extra/"
	$PYTHON "$here/strip-modsig.py" "$tmp/mod" || die "strip-modsig failed"
	depmod -b "$tmp/mod" "$kver" || die "depmod failed"

	rm -rf "$dir/vmlinux" "$dir/mod"
	mv "$tmp/vmlinux" "$tmp/mod" "$dir/"
	echo "$kver" >"$dir/kernel-release"
	rm -rf "$tmp"
	echo "$version r$KERNEL_RECIPE" >"$dir/kernel.stamp"
	# The packages served their purpose; 200 MB is worth getting back.
	rm -f "$CACHE/debs/"*"_${version}_"*.deb
}

# --- the initramfs -----------------------------------------------------------

# boot_modules KVER: the files of the modules that reach the shares (virtio
# on PCI, 9p over virtio), each once, in the order modprobe loads them.
boot_modules() {
	local m
	for m in virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$dir/mod" -S "$1" --show-depends "$m" ||
		    die "modprobe knows no module $m"
	done | sed -n 's/^insmod \([^ ]*\).*/\1/p' | awk '!seen[$0]++'
}

build_initramfs() {
	local kver list mod busybox=/bin/busybox
	kver=$(cat "$dir/kernel-release")
	list=$dir/initramfs.list

	if ldd "$busybox" >/dev/null 2>&1; then
		die "$busybox is not static (install busybox-static)"
	fi
	{
		cat <<-EOF
		dir /dev 0755
		nod /dev/console 0600 c 5 1
		dir /proc 0755
		dir /sys 0755
		dir /run 0755
		dir /tmp 1777
		dir /var 0755
		dir /var/tmp 1777
		dir /root 0700
		dir /usr 0755
		slink /bin usr/bin
		slink /sbin usr/sbin
		slink /lib usr/lib
		slink /lib64 usr/lib64
		dir /etc 0755
		file /etc/passwd $here/guest/passwd 0644
		file /etc/group $here/guest/group 0644
		file /etc/nsswitch.conf $here/guest/nsswitch.conf 0644
		file /etc/hosts $here/guest/hosts 0644
		slink /etc/mtab /proc/self/mounts
		dir /vm 0755
		file /init $here/init 0755
		file /vm/busybox $busybox 0755
		dir /vm/bin 0755
		file /vm/bin/modprobe $here/guest/modprobe 0755
		dir /vm/mod 0755
		dir /vm/host-etc 0755
		dir /vm/modules 0755
		EOF
		boot_modules "$kver" | while read -r mod; do
			echo "file /vm/modules/$(basename "$mod") $mod 0644"
		done
		echo "file /vm/modules/order $dir/initramfs.order 0644"
	} >"$list"
	boot_modules "$kver" | xargs -n 1 basename | sed 's/\.ko$//' \
	    >"$dir/initramfs.order"
	grep -q '^9p$' "$dir/initramfs.order" ||
	    die "modprobe found no 9p module in $dir/mod"
	$PYTHON "$here/mkinitramfs.py" "$list" "$dir/initramfs.cpio.tmp" ||
	    die "cannot write the initramfs"
	mv "$dir/initramfs.cpio.tmp" "$dir/initramfs.cpio"
}

# What the initramfs is made of: a change to any of it builds it again.
initramfs_inputs() {
	cat "$here/init" "$here/mkinitramfs.py" "$here/prepare.sh" \
	    "$here/guest/"* /bin/busybox "$dir/kernel-release" | sha256sum |
	    cut -d ' ' -f 1
}

# --- main --------------------------------------------------------------------

check_tools
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

find_kernel
dir=$CACHE/$abi
mkdir -p "$dir"
if [ "$(cat "$dir/kernel.stamp" 2>/dev/null)" != \
    "$version r$KERNEL_RECIPE" ]; then
	build_kernel
fi
inputs=$(initramfs_inputs)
if [ "$(cat "$dir/initramfs.stamp" 2>/dev/null)" != "$inputs" ] ||
    [ ! -f "$dir/initramfs.cpio" ]; then
	say "building the initramfs"
	build_initramfs
	echo "$inputs" >"$dir/initramfs.stamp"
fi
echo "$dir"
