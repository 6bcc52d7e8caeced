/*
 * pager_fd.c - the default pager: a host file descriptor, read with pread,
 * written with pwrite and measured with fstat, and bsdvm_object_file on
 * top of it.  This is the only file of the library that does host file
 * I/O; the memory layer reaches files only through struct bsdvm_pager_ops,
 * so a kernel that vendors src/ leaves this file out and supplies its own
 * pagers through bsdvm_object_pager.
 */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem/mem_impl.h"

struct fd_pager {
	int fd;                             /* not ours: never closed here */
	const struct bsdvm_platform *plat;  /* what allocated us, to free us */
};

/* The largest off_t (a signed type of at most 64 bits). */
#define FD_OFF_MAX ((bsdvm_off_t)(((uint64_t)1 << (sizeof(off_t) * CHAR_BIT - 1)) - 1))

/* Can [off, off + len) be addressed with off_t?  Object offsets are
 * unsigned 64-bit; a cast alone would turn the top half negative. */
static bool fd_range_ok(bsdvm_off_t off, size_t len)
{
	return off <= FD_OFF_MAX && len <= FD_OFF_MAX - off;
}

static int fd_read(void *ctx, bsdvm_off_t off, void *buf, size_t len, size_t *got)
{
	struct fd_pager *fp = ctx;
	uint8_t *p = buf;
	size_t done = 0;

	if (!fd_range_ok(off, len))
		return KERN_FAILURE;
	/* pread may return less than asked without being at the end of the
	 * file; only 0 says the file ends here */
	while (done < len) {
		ssize_t n = pread(fp->fd, p + done, len - done, (off_t)(off + done));

		if (n < 0)
			return KERN_FAILURE;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return KERN_SUCCESS;
}

static int fd_write(void *ctx, bsdvm_off_t off, const void *buf, size_t len)
{
	struct fd_pager *fp = ctx;
	const uint8_t *p = buf;
	size_t done = 0;

	if (!fd_range_ok(off, len))
		return KERN_FAILURE;
	while (done < len) {
		ssize_t n = pwrite(fp->fd, p + done, len - done, (off_t)(off + done));

		/* 0 would loop forever: no progress is as good as an error */
		if (n <= 0)
			return KERN_FAILURE;
		done += (size_t)n;
	}
	return KERN_SUCCESS;
}

static int fd_size(void *ctx, bsdvm_off_t *sizep)
{
	struct fd_pager *fp = ctx;
	struct stat st;

	/* asked every time, since others may grow or shrink the file */
	if (fstat(fp->fd, &st) != 0 || st.st_size < 0)
		return KERN_FAILURE;
	*sizep = (bsdvm_off_t)st.st_size;
	return KERN_SUCCESS;
}

static void fd_release(void *ctx)
{
	struct fd_pager *fp = ctx;

	bsdvm_pfree(fp->plat, fp, sizeof(*fp));
}

static const struct bsdvm_pager_ops fd_pager_ops = {
	.read = fd_read,
	.write = fd_write,
	.size = fd_size,
	.release = fd_release,
};

int bsdvm_object_file(struct bsdvm_sys *sys, int fd, bsdvm_size_t size, bool writable,
    struct vm_object **objp)
{
	struct fd_pager *fp;
	int rv;

	/* bad arguments fail before anything is allocated, so they cost
	 * nothing and leave nothing to undo */
	if (fd < 0 || sys == NULL || objp == NULL || size == 0 ||
	    (size & (sys->page_size - 1)) != 0)
		return KERN_INVALID_ARGUMENT;
	fp = bsdvm_palloc(sys->plat, sizeof(*fp));
	if (fp == NULL)
		return KERN_RESOURCE_SHORTAGE;
	fp->fd = fd;
	fp->plat = sys->plat;
	rv = bsdvm_object_pager(sys, &fd_pager_ops, fp, size, writable, objp);
	/* on failure the ctx is still ours: release is never called for it */
	if (rv != KERN_SUCCESS)
		bsdvm_pfree(sys->plat, fp, sizeof(*fp));
	return rv;
}
