/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why this is race-free, even against a running container that shares an
 * in-place rootfs and swaps directories for symlinks:
 *
 * - every component is opened relative to the fd of its parent, which we
 *   already hold, one name at a time, with openat2 RESOLVE_NO_SYMLINKS |
 *   RESOLVE_BENEATH: a symlink there, whenever it appears, is an ELOOP
 *   error, never a traversal, and ".." is refused up front;
 * - mkdirat() and O_CREAT|O_EXCL create exactly that name in the held
 *   directory and never follow a symlink at the last component;
 * - a held directory may be renamed by the container, but only within the
 *   rootfs's own mount (rename across mounts is EXDEV), so it stays inside.
 *
 * LXC then mounts on the path string again, but without create= it
 * creates nothing, and its safe_mount() opens the target with
 * open_without_symlink(): a symlink swapped in after us makes the start
 * fail (measured with LXC 5.0.2), it does not make LXC leave the rootfs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "error.h"
#include "mountpoint.h"
#include "util.h"

#define BAD_INPUT EINVAL

char **
mountpoint_split (const char *target, lxcshim_error_t *err)
{
	_cleanup_strv_ char **v = NULL;
	const char *p = target;

	if (target == NULL || *target != '/') {
		lxcshim_fail_value (err, "mount target", target ? target : "", "must be an absolute path");
		return NULL;
	}
	while (*p) {
		size_t n;

		p += strspn (p, "/");
		n = strcspn (p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			lxcshim_fail_value (err, "mount target", target, "must not contain \"..\"");
			return NULL;
		}
		if (n > NAME_MAX) {
			lxcshim_fail_value (err, "mount target", target, "a component is longer than %d bytes", NAME_MAX);
			return NULL;
		}
		strv_push (&v, xstrndup (p, n));
		p += n;
	}
	if (v == NULL) {
		lxcshim_fail_value (err, "mount target", target, "must not be /");
		return NULL;
	}
	return steal_pointer (&v);
}

/* One name beneath DIRFD, following no symlink at all. */
static int
open_beneath (int dirfd, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int) syscall (SYS_openat2, dirfd, name, &how, sizeof how);
}

static int
refuse (lxcshim_error_t *err, int errnum, const char *path)
{
	switch (errnum) {
	case ELOOP:
		return lxcshim_fail (err, BAD_INPUT, "%s is a symbolic link in the rootfs: mount points are never made through one",
		                     path);
	case ENOTDIR:
		return lxcshim_fail (err, BAD_INPUT, "%s is not a directory in the rootfs", path);
	case EISDIR:
		return lxcshim_fail (err, BAD_INPUT, "%s is a directory in the rootfs, but the source is not", path);
	case EXDEV:
		return lxcshim_fail (err, BAD_INPUT, "%s leaves the rootfs", path);
	default:
		errno = errnum;
		return lxcshim_fail_errno (err, "open %s in the rootfs", path);
	}
}

static void
replace_fd (int *fd, int new_fd)
{
	if (*fd >= 0)
		close (*fd);
	*fd = new_fd;
}

int
mountpoint_make (int tree_fd, int lower_fd, const char *target, bool dir, bool create, lxcshim_error_t *err)
{
	_cleanup_strv_ char **comps = mountpoint_split (target, err);
	_cleanup_close_ int cur = -1, low = -1;
	struct buf path = { 0 };
	int ret = -1;

	if (comps == NULL)
		return -1;
	cur = fcntl (tree_fd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return lxcshim_fail_errno (err, "dup");
	if (lower_fd >= 0 && (low = fcntl (lower_fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return lxcshim_fail_errno (err, "dup");

	for (size_t i = 0; comps[i]; i++) {
		const char *name = comps[i];
		bool want_dir = comps[i + 1] != NULL || dir, in_lower = false, created = false;
		struct stat lst;

		buf_printf (&path, "/%s", name);
		/* What the overlay shows where the upper dir has nothing: the
		 * upper dir is new, so it has no whiteouts or opaque dirs. */
		if (low >= 0) {
			int fd = open_beneath (low, name, O_PATH, 0);

			if (fd < 0 && errno != ENOENT) {
				refuse (err, errno, path.data);
				goto out;
			}
			replace_fd (&low, -1);
			if (fd >= 0) {
				if (fstat (fd, &lst) < 0) {
					close (fd);
					lxcshim_fail_errno (err, "stat %s", path.data);
					goto out;
				}
				in_lower = true;
				if (S_ISDIR (lst.st_mode))
					low = fd;
				else
					close (fd);
			}
		}
		/* Bounded: only a concurrent creator makes us go round. */
		for (int tries = 0;; tries++) {
			int fd = -1;

			if (tries == 16) {
				lxcshim_fail (err, EAGAIN, "%s keeps changing in the rootfs", path.data);
				goto out;
			}
			if (cur >= 0) {
				fd = open_beneath (cur, name, want_dir ? O_RDONLY | O_DIRECTORY : O_PATH, 0);
				if (fd < 0 && errno != ENOENT) {
					refuse (err, errno, path.data);
					goto out;
				}
			}
			if (fd >= 0) {
				struct stat st;

				if (fstat (fd, &st) < 0) {
					close (fd);
					lxcshim_fail_errno (err, "stat %s", path.data);
					goto out;
				}
				if (!want_dir && S_ISDIR (st.st_mode)) {
					close (fd);
					refuse (err, EISDIR, path.data);
					goto out;
				}
				/* Ours: the lower dir's mode and owner, as a
				 * copy-up would give it; else Docker's 0755. */
				if (created && (fchown (fd, in_lower ? lst.st_uid : 0, in_lower ? lst.st_gid : 0) < 0 ||
				                fchmod (fd, in_lower ? lst.st_mode & 07777 : 0755) < 0)) {
					close (fd);
					lxcshim_fail_errno (err, "chmod %s", path.data);
					goto out;
				}
				replace_fd (&cur, want_dir ? fd : -1);
				if (!want_dir)
					close (fd);
				break;
			}
			/* Not in the written tree. */
			if (in_lower) {
				if (want_dir && !S_ISDIR (lst.st_mode)) {
					refuse (err, ENOTDIR, path.data);
					goto out;
				}
				if (!want_dir && S_ISDIR (lst.st_mode)) {
					refuse (err, EISDIR, path.data);
					goto out;
				}
				if (!want_dir) {
					/* The lower file is the mount point. */
					ret = 0;
					goto out;
				}
			}
			if (!create) {
				/* Check only: go on in the lower dir, if any. */
				replace_fd (&cur, -1);
				if (low < 0) {
					ret = 0;
					goto out;
				}
				break;
			}
			if (cur < 0) {
				lxcshim_fail (err, EINVAL, "internal error: no directory to create %s in", path.data);
				goto out;
			}
			if (want_dir) {
				if (mkdirat (cur, name, 0700) == 0)
					created = true;
				else if (errno != EEXIST) {
					lxcshim_fail_errno (err, "mkdir %s in the rootfs", path.data);
					goto out;
				}
				continue;
			}
			fd = open_beneath (cur, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
			if (fd >= 0) {
				close (fd);
				ret = 0;
				goto out;
			}
			if (errno != EEXIST) {
				refuse (err, errno, path.data);
				goto out;
			}
		}
	}
	ret = 0;
out:
	buf_free (&path);
	return ret;
}

long
mountpoint_parent_volume (const struct volume *vols, size_t i, char **rest)
{
	_cleanup_error_ lxcshim_error_t e = NULL;
	_cleanup_strv_ char **t = mountpoint_split (vols[i].target, &e);

	if (rest)
		*rest = NULL;
	for (size_t j = i; t && j-- > 0;) {
		_cleanup_error_ lxcshim_error_t e2 = NULL;
		_cleanup_strv_ char **p = mountpoint_split (vols[j].target, &e2);
		size_t k = 0;

		if (p == NULL)
			continue;
		while (p[k] && t[k] && streq (p[k], t[k]))
			k++;
		if (p[k] != NULL || t[k] == NULL)
			continue;
		if (rest) {
			struct buf b = { 0 };
			for (; t[k]; k++)
				buf_printf (&b, "/%s", t[k]);
			*rest = buf_steal (&b);
		}
		return (long) j;
	}
	return -1;
}

bool
mountpoint_in_autodev (const char *target)
{
	_cleanup_error_ lxcshim_error_t e = NULL;
	_cleanup_strv_ char **t = mountpoint_split (target, &e);

	return t && streq (t[0], "dev");
}
