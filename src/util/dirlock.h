/* dirlock.h -- one process per data directory (issue 11 item 10): an exclusive flock(2) on a lock file
 * held for the life of the process. The kernel drops it when the process exits, however it exits
 * (kill -9 included), so a stale lock file never blocks a restart. */
#ifndef ENTITYD_DIRLOCK_H
#define ENTITYD_DIRLOCK_H

#include <stddef.h>

/* Locks `path` (created 0600 if missing) and writes this process's pid into it. Returns the lock's
 * descriptor (keep it open; closing it releases the lock), or -1 with a message in err: when another
 * process holds the lock the message names its pid. */
int dirlock_acquire(const char *path, char *err, size_t errlen);
/* Releases the lock (closes the descriptor; the file stays). */
void dirlock_release(int fd);

#endif
