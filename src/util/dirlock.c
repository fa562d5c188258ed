/* dirlock.c -- the data directory's lock file (see dirlock.h). flock, not fcntl locks: an fcntl lock
 * belongs to the process and is silently dropped when any descriptor of the file is closed (SQLite
 * opens and closes files freely), while a flock belongs to the one open file description. */
#include "util/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int dirlock_acquire(const char *path, char *err, size_t errlen) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the lock file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            char pid[32] = "";
            ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
            pid[n > 0 ? n : 0] = '\0';
            pid[strcspn(pid, "\r\n")] = '\0';
            snprintf(err, errlen, "%s is locked by another process%s%s%s", path, *pid ? " (pid " : "", pid,
                     *pid ? ")" : "");
        } else {
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        }
        close(fd);
        return -1;
    }
    /* The pid is for the message above and for operators; the lock itself is what counts. */
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* Not fatal: the lock is held; only the pid in the file is missing. */
    }
    return fd;
}

void dirlock_release(int fd) {
    if (fd >= 0) close(fd);
}
