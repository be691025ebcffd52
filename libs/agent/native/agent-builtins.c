/*
 * The agent's built-in file operations. Each one is the exact equivalent of a shell script of the
 * files plugin (plugins/capability-files): the same positional arguments, the same stdout, the
 * same stderr phrases (strerror's, as coreutils print them) and the same exit codes. So a sandbox
 * with the agent and one without it answer alike, and the gateway parses one format.
 *
 * A built-in runs in the command's own process (a fork of the tracker, instead of execve), as
 * the sandbox user, with the command's stdin/stdout/stderr, timeout and kill: nothing about the
 * sandbox's isolation changes, only no shell and no coreutils are started.
 */
#define _GNU_SOURCE
#include "agent-builtins.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <fnmatch.h>
#ifdef AGENT_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

#define MAX_LINKS 40
#define BUF 65536

static char iobuf[BUF];

static int say(const char *what, const char *path, int err) {
  dprintf(2, "%s: %s: %s\n", what, path, strerror(err));
  return 1;
}

static int fail(const char *msg) {
  dprintf(2, "%s\n", msg);
  return 1;
}

static int write_out(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Buffered stdout: records are small and many. */
static char outbuf[BUF];
static size_t outlen;

static int flush_out(void) {
  int r = write_out(1, outbuf, outlen);
  outlen = 0;
  return r;
}

static int emit(const void *p, size_t n) {
  if (outlen + n > sizeof outbuf && flush_out() < 0) return -1;
  if (n > sizeof outbuf) return write_out(1, p, n);
  memcpy(outbuf + outlen, p, n);
  outlen += n;
  return 0;
}

static int emitf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int emitf(const char *fmt, ...) {
  char line[PATH_MAX + 128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line) return -1;
  return emit(line, (size_t)n);
}

/* [ -e p ] || [ -L p ] */
static int exists(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

/* [ -d p ] && [ ! -L p ] */
static int real_dir(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *kind_of(mode_t m) {
  if (S_ISFIFO(m)) return " (a FIFO)";
  if (S_ISSOCK(m)) return " (a socket)";
  if (S_ISCHR(m)) return " (a character device)";
  if (S_ISBLK(m)) return " (a block device)";
  return "";
}

static char type_letter(mode_t m) {
  if (S_ISREG(m)) return 'f';
  if (S_ISDIR(m)) return 'd';
  if (S_ISLNK(m)) return 'l';
  if (S_ISFIFO(m)) return 'p';
  if (S_ISSOCK(m)) return 's';
  if (S_ISCHR(m)) return 'c';
  if (S_ISBLK(m)) return 'b';
  return 'U';
}

/* The checks every byte-reading script makes first: it exists, is no directory, is regular. */
static int regular_file(const char *p, struct stat *st) {
  if (stat(p, st) != 0) return fail("No such file or directory");
  if (S_ISDIR(st->st_mode)) return fail("Is a directory");
  if (!S_ISREG(st->st_mode)) {
    dprintf(2, "Not a regular file%s\n", kind_of(st->st_mode));
    return 1;
  }
  return 0;
}

/* Opens a file checked to be regular without blocking on a FIFO swapped in since the check. */
static int open_regular(const char *p) {
  int fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return say("cat", p, errno), -1;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    fail("Not a regular file");
    return -1;
  }
  fcntl(fd, F_SETFL, 0);
  return fd;
}

static int copy_fd(int in, int out, off_t max) {
  while (max != 0) {
    size_t want = max < 0 || max > (off_t)sizeof iobuf ? sizeof iobuf : (size_t)max;
    ssize_t n = read(in, iobuf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    if (write_out(out, iobuf, (size_t)n) < 0) return -1;
    if (max > 0) max -= n;
  }
  return 0;
}

/* Copies a path into a PATH_MAX buffer; -1 (having said so) when it does not fit. */
static int copy_path_into(char *dst, const char *path, size_t *len) {
  *len = strlen(path);
  if (*len >= PATH_MAX) return fail("File name too long"), -1;
  memcpy(dst, path, *len + 1);
  return 0;
}

/* mkdir -p: an existing directory is fine, an existing non-directory is not. */
static int make_parents(const char *path, const char *who) {
  char p[PATH_MAX];
  size_t len;
  if (copy_path_into(p, path, &len)) return 1;
  for (size_t i = 1; i <= len; i++) {
    if ((p[i] != '/' && p[i] != 0) || p[i - 1] == '/') continue;
    char saved = p[i];
    p[i] = 0;
    if (mkdir(p, 0777) != 0) {
      int err = errno;
      struct stat st;
      if (err != EEXIST) return say(who, path, err);
      if (stat(p, &st) != 0) return say(who, path, errno);
      size_t rest = i;
      while (path[rest] == '/') rest++;
      if (!S_ISDIR(st.st_mode)) return say(who, path, path[rest] ? ENOTDIR : EEXIST);
    }
    p[i] = saved;
  }
  return 0;
}

static int make_parent_of(const char *path, const char *who) {
  char dir[PATH_MAX];
  size_t len;
  if (copy_path_into(dir, path, &len)) return 1;
  char *slash = strrchr(dir, '/');
  if (!slash) return 0;
  if (slash == dir) return 0;
  *slash = 0;
  return make_parents(dir, who);
}

/* rm -rf: never follows a symlink, goes on after an error and reports it. */
static int remove_at(int at, const char *name, const char *shown) {
  struct stat st;
  if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : say("rm", shown, errno);
  if (!S_ISDIR(st.st_mode)) return unlinkat(at, name, 0) == 0 || errno == ENOENT ? 0 : say("rm", shown, errno);
  int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int rc = 0;
  if (fd >= 0) {
    DIR *d = fdopendir(fd);
    struct dirent *e;
    if (!d) {
      close(fd);
      return say("rm", shown, errno);
    }
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rc |= remove_at(dirfd(d), e->d_name, shown);
    closedir(d);
  }
  if (unlinkat(at, name, AT_REMOVEDIR) != 0 && errno != ENOENT) rc = say("rm", shown, errno);
  return rc;
}

static int remove_tree(const char *path) {
  return remove_at(AT_FDCWD, path, path);
}

/* cp -a (tree) or cp -p (one file): contents, symlinks as symlinks, modes and times. */
static int copy_at(int sfd, const char *sname, int dfd, const char *dname, const char *shown) {
  struct stat st;
  if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) != 0) return say("cp", shown, errno);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(sfd, sname, target, sizeof target - 1);
    if (n < 0) return say("cp", shown, errno);
    target[n] = 0;
    if (symlinkat(target, dfd, dname) != 0) return say("cp", shown, errno);
    utimensat(dfd, dname, times, AT_SYMLINK_NOFOLLOW);
    return 0;
  }
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dfd, dname, 0700) != 0) return say("cp", shown, errno);
    int from = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int to = openat(dfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc = 0;
    DIR *d = from >= 0 ? fdopendir(from) : NULL;
    if (!d || to < 0) {
      rc = say("cp", shown, errno);
      if (from >= 0 && !d) close(from);
    } else {
      struct dirent *e;
      while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rc |= copy_at(dirfd(d), e->d_name, to, e->d_name, shown);
      closedir(d);
    }
    if (to >= 0) {
      fchmod(to, st.st_mode & 07777);
      futimens(to, times);
      close(to);
    }
    return rc;
  }
  if (!S_ISREG(st.st_mode)) {
    if (mknodat(dfd, dname, st.st_mode, st.st_rdev) != 0) return say("cp", shown, errno);
    fchmodat(dfd, dname, st.st_mode & 07777, 0);
    utimensat(dfd, dname, times, AT_SYMLINK_NOFOLLOW);
    return 0;
  }
  int in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (in < 0) return say("cp", shown, errno);
  int out = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    close(in);
    return say("cp", shown, errno);
  }
  fcntl(in, F_SETFL, 0);
  int rc = copy_fd(in, out, -1) == 0 ? 0 : say("cp", shown, errno);
  if (fchmod(out, st.st_mode & 07777) != 0 && !rc) rc = say("cp", shown, errno);
  futimens(out, times);
  if (close(out) != 0 && !rc) rc = say("cp", shown, errno);
  close(in);
  return rc;
}

static int copy_path(const char *from, const char *to) {
  return copy_at(AT_FDCWD, from, AT_FDCWD, to, from);
}

/* mv -f -T, copying then removing across file systems as mv does. */
static int rename_exactly(const char *from, const char *to) {
  if (rename(from, to) == 0) return 0;
  if (errno == ENOTDIR || errno == EISDIR) return fail("mv: cannot overwrite non-directory with directory");
  if (errno == EINVAL) return fail("mv: cannot move a directory to a subdirectory of itself");
  if (errno != EXDEV) return say("mv", from, errno);
  if (exists(to) && !real_dir(to) && unlink(to) != 0) return say("mv", to, errno);
  if (copy_path(from, to) != 0) return 1;
  return remove_tree(from);
}

/* The REPLACE_FUNCTION shell function: SRC becomes exactly DST; a directory only by a directory. */
static int replace(const char *from, const char *to) {
  if (real_dir(to)) {
    if (!real_dir(from)) return fail("cannot overwrite directory with non-directory");
    if (remove_tree(to) != 0) return 1;
  }
  return rename_exactly(from, to);
}

/* realpath -m: every symlink resolved, missing components kept as written. */
static int canonical(const char *path, char *out) {
  char pending[2 * PATH_MAX + 2], link[PATH_MAX];
  size_t olen = 0;
  int links = 0;
  if (strlen(path) >= sizeof pending) return errno = ENAMETOOLONG, -1;
  strcpy(pending, path);
  out[0] = 0;
  char *p = pending;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    char *end = strchrnul(p, '/');
    size_t clen = (size_t)(end - p);
    if (clen == 1 && p[0] == '.') { p = end; continue; }
    if (clen == 2 && p[0] == '.' && p[1] == '.') {
      while (olen > 0 && out[olen - 1] != '/') olen--;
      if (olen > 0) olen--;
      out[olen] = 0;
      p = end;
      continue;
    }
    if (olen + 1 + clen >= PATH_MAX) return errno = ENAMETOOLONG, -1;
    size_t before = olen;
    out[olen++] = '/';
    memcpy(out + olen, p, clen);
    olen += clen;
    out[olen] = 0;
    p = end;
    struct stat st;
    if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode)) continue;
    if (++links > MAX_LINKS) return errno = ELOOP, -1;
    ssize_t n = readlink(out, link, sizeof link - 1);
    if (n < 0) return -1;
    link[n] = 0;
    size_t rest = strlen(p);
    if ((size_t)n + 1 + rest >= sizeof pending) return errno = ENAMETOOLONG, -1;
    memmove(pending + n + 1, p, rest + 1);
    memcpy(pending, link, (size_t)n);
    pending[n] = '/';
    p = pending;
    olen = link[0] == '/' ? 0 : before;
    out[olen] = 0;
  }
  if (olen == 0) strcpy(out, "/");
  return 0;
}

/* RESOLVE_SCRIPT: the mount namespace on the first line, then each path resolved, NUL-ended. */
static int b_resolve(int argc, char **argv) {
  char ns[128], real[PATH_MAX];
  ssize_t n = readlink("/proc/self/ns/mnt", ns, sizeof ns - 1);
  ns[n > 0 ? n : 0] = 0;
  emitf("%s\n", ns);
  int rc = 0;
  for (int i = 0; i < argc; i++) {
    if (canonical(argv[i], real) != 0) rc = say("realpath", argv[i], errno);
    else emit(real, strlen(real) + 1);
  }
  return rc;
}

static int b_read(int argc, char **argv) {
  struct stat st;
  if (argc != 2) return fail("read: usage: read PATH MAX");
  if (regular_file(argv[0], &st)) return 1;
  long long max = atoll(argv[1]);
  int fd = open_regular(argv[0]);
  if (fd < 0) return 1;
  fstat(fd, &st);
  emitf("%lld\n", (long long)st.st_size);
  if (flush_out() < 0) return 1;
  if (st.st_size > max) return 0;
  int rc = copy_fd(fd, 1, (off_t)max) == 0 ? 0 : say("head", argv[0], errno);
  close(fd);
  return rc;
}

static int b_size(int argc, char **argv) {
  struct stat st;
  if (argc != 1) return fail("size: usage: size PATH");
  if (regular_file(argv[0], &st)) return 1;
  emitf("%lld\n", (long long)st.st_size);
  return 0;
}

static int b_cat(int argc, char **argv) {
  if (argc != 1) return fail("cat: usage: cat PATH");
  int fd = open_regular(argv[0]);
  if (fd < 0) return 1;
  int rc = copy_fd(fd, 1, -1) == 0 ? 0 : say("cat", argv[0], errno);
  close(fd);
  return rc;
}

/* STAT_SCRIPT: exit 3 when nothing is there, else find's '%y/%s/%m/%T@'. */
static int b_stat(int argc, char **argv) {
  struct stat st;
  if (argc != 1) return fail("stat: usage: stat PATH");
  if (stat(argv[0], &st) != 0) return 3;
  if (lstat(argv[0], &st) != 0) return say("find", argv[0], errno);
  emitf("%c/%lld/%o/%lld.%09ld", type_letter(st.st_mode), (long long)st.st_size, (unsigned)(st.st_mode & 07777),
        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  return 0;
}

struct walk {
  long long left;
  int recursive;
  int records; /* 1: list's '%y/%s/%T@/%P\0'; 0: the glob scan's '%P\0' of non-directories */
  int dots;
};

static int walk_dir(int fd, char *rel, size_t rlen, struct walk *w) {
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return 0;
  }
  struct dirent *e;
  while (w->left > 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (!w->records && !w->dots && e->d_name[0] == '.') continue;
    size_t nlen = strlen(e->d_name);
    if (rlen + nlen + 2 >= PATH_MAX) continue;
    size_t at = rlen;
    if (rlen) rel[at++] = '/';
    memcpy(rel + at, e->d_name, nlen + 1);
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (w->records) {
        emitf("%c/%lld/%lld.%09ld/", type_letter(st.st_mode), (long long)st.st_size, (long long)st.st_mtim.tv_sec,
              st.st_mtim.tv_nsec);
        emit(rel, at + nlen + 1);
        w->left--;
      } else if (!S_ISDIR(st.st_mode)) {
        emit(rel, at + nlen + 1);
        w->left--;
      }
      if (S_ISDIR(st.st_mode) && w->recursive && w->left > 0) {
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) walk_dir(sub, rel, at + nlen, w);
      }
    }
    rel[rlen] = 0;
  }
  closedir(d);
  return 0;
}

static int walk_from(const char *dir, struct walk *w) {
  char rel[PATH_MAX] = "";
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return say("find", dir, errno);
  return walk_dir(fd, rel, 0, w);
}

/* LIST_SCRIPT: $1 dir, $2 record cap, $3 '1' for recursive. */
static int b_list(int argc, char **argv) {
  struct stat st;
  if (argc != 3) return fail("list: usage: list DIR CAP RECURSIVE");
  if (stat(argv[0], &st) != 0) return fail("No such file or directory");
  if (!S_ISDIR(st.st_mode)) return fail("Not a directory");
  struct walk w = {atoll(argv[1]), strcmp(argv[2], "1") == 0, 1, 1};
  walk_from(argv[0], &w);
  return 0;
}

/* SCAN_SCRIPT of files.glob: exit 3 when $1 is no directory; $2 cap, $3 '1' to enter dot entries. */
static int b_scan(int argc, char **argv) {
  struct stat st;
  if (argc != 3) return fail("scan: usage: scan DIR CAP DOTS");
  if (stat(argv[0], &st) != 0 || !S_ISDIR(st.st_mode)) return 3;
  struct walk w = {atoll(argv[1]), 1, 0, strcmp(argv[2], "1") == 0};
  walk_from(argv[0], &w);
  return 0;
}

/* `mkdir [-p] -- DIR` */
static int b_mkdir(int argc, char **argv) {
  int parents = 0, i = 0;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (!strcmp(argv[i], "-p")) parents = 1;
    else return fail("mkdir: unknown option");
  }
  if (i != argc - 1) return fail("mkdir: usage: mkdir [-p] -- DIR");
  if (parents) return make_parents(argv[i], "mkdir: cannot create directory");
  return mkdir(argv[i], 0777) == 0 ? 0 : say("mkdir: cannot create directory", argv[i], errno);
}

/* DELETE_SCRIPT: $1 path, $2 '1' for recursive; a symlink is removed itself. */
static int b_delete(int argc, char **argv) {
  if (argc != 2) return fail("delete: usage: delete PATH RECURSIVE");
  const char *p = argv[0];
  if (!exists(p)) return fail("No such file or directory");
  if (real_dir(p)) {
    if (!strcmp(argv[1], "1")) return remove_tree(p);
    return rmdir(p) == 0 ? 0 : say("rmdir: failed to remove", p, errno);
  }
  return unlink(p) == 0 || errno == ENOENT ? 0 : say("rm: cannot remove", p, errno);
}

/* `rm -f -- PATH` of a file */
static int b_remove(int argc, char **argv) {
  if (argc != 1) return fail("remove: usage: remove PATH");
  return unlink(argv[0]) == 0 || errno == ENOENT ? 0 : say("rm: cannot remove", argv[0], errno);
}

/* MOVE_SCRIPT: $1 from, $2 to, $3 '1' to overwrite. */
static int b_move(int argc, char **argv) {
  if (argc != 3) return fail("move: usage: move FROM TO OVERWRITE");
  if (!exists(argv[0])) return fail("No such file or directory");
  if (strcmp(argv[2], "1") && exists(argv[1])) return fail("File exists");
  if (make_parent_of(argv[1], "mkdir: cannot create directory")) return 1;
  return replace(argv[0], argv[1]);
}

/* COPY_SCRIPT: $1 from, $2 to, $3 temp sibling of to, $4 '1' recursive, $5 '1' overwrite. */
static int b_copy(int argc, char **argv) {
  struct stat st;
  if (argc != 5) return fail("copy: usage: copy FROM TO TMP RECURSIVE OVERWRITE");
  const char *from = argv[0], *to = argv[1], *tmp = argv[2];
  if (!exists(from)) return fail("No such file or directory");
  int dir = stat(from, &st) == 0 && S_ISDIR(st.st_mode);
  if (dir && strcmp(argv[3], "1")) return fail("Is a directory (set recursive to copy it)");
  if (!dir && regular_file(from, &st)) return 1;
  if (strcmp(argv[4], "1") && exists(to)) return fail("File exists");
  if (make_parent_of(to, "mkdir: cannot create directory")) return 1;
  if (copy_path(from, tmp) != 0 || replace(tmp, to) != 0) {
    remove_tree(tmp);
    return 1;
  }
  return 0;
}

/* STAGE_SCRIPT: stdin into a fresh temp sibling ($2) of the target ($1). */
static int b_stage(int argc, char **argv) {
  struct stat st;
  if (argc != 2) return fail("stage: usage: stage TARGET TMP");
  if (stat(argv[0], &st) == 0 && S_ISDIR(st.st_mode)) return fail("Is a directory");
  if (make_parent_of(argv[0], "mkdir: cannot create directory")) return 1;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return say("sh: cannot create", argv[1], errno);
  int rc = copy_fd(0, fd, -1) == 0 ? 0 : say("cat: write error", argv[1], errno);
  if (close(fd) != 0 && !rc) rc = say("cat: write error", argv[1], errno);
  return rc;
}

/* COMMIT_SCRIPT: $1 tmp, $2 target, $3 the size the gateway sent, $4 octal mode or ''. */
static int b_commit(int argc, char **argv) {
  struct stat st, target;
  if (argc != 4) return fail("commit: usage: commit TMP TARGET SIZE MODE");
  const char *tmp = argv[0], *to = argv[1];
  int rc = 0;
  if (stat(tmp, &st) != 0) rc = say("stat", tmp, errno);
  else if (st.st_size != atoll(argv[2])) {
    dprintf(2, "Staged %lld bytes but sent %s\n", (long long)st.st_size, argv[2]);
    rc = 1;
  } else if (argv[3][0]) {
    char *end;
    long mode = strtol(argv[3], &end, 8);
    if (*end || mode < 0 || mode > 07777) rc = fail("chmod: invalid mode");
    else if (chmod(tmp, (mode_t)mode) != 0) rc = say("chmod", tmp, errno);
  } else if (stat(to, &target) == 0 && chmod(tmp, target.st_mode & 07777) != 0) {
    rc = say("chmod", tmp, errno);
  }
  if (!rc && stat(to, &target) == 0 && S_ISDIR(target.st_mode)) rc = fail("Is a directory");
  if (!rc && rename(tmp, to) != 0) rc = say("mv", to, errno);
  if (rc) unlink(tmp);
  return rc;
}

#ifdef AGENT_PCRE2
/* GREP_SCRIPT's `grep -rnHIZsP -D skip [-i] -m CAP [--include=GLOB] -e PATTERN -- PATH | head -n CAP`. */
struct grep {
  pcre2_code *re;
  pcre2_match_data *md;
  const char *include;
  long long cap, left;
  char *line;
  size_t size;
};

static void grep_file(struct grep *g, int fd, const char *shown) {
  FILE *f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return;
  }
  long long found = 0, lineno = 0;
  ssize_t n;
  int first = 1;
  while (g->left > 0 && found < g->cap && (n = getline(&g->line, &g->size, f)) >= 0) {
    lineno++;
    size_t len = (size_t)n;
    if (len && g->line[len - 1] == '\n') len--;
    /* -I: a NUL byte makes the file binary, and a binary file matches nothing */
    if (memchr(g->line, 0, len)) break;
    if (first) {
      first = 0;
      char head[4096];
      ssize_t peek = pread(fd, head, sizeof head, 0);
      if (peek > 0 && memchr(head, 0, (size_t)peek)) break;
    }
    if (pcre2_match(g->re, (PCRE2_SPTR)g->line, len, 0, 0, g->md, NULL) < 0) continue;
    emit(shown, strlen(shown) + 1);
    emitf("%lld:", lineno);
    emit(g->line, len);
    emit("\n", 1);
    found++;
    g->left--;
  }
  fclose(f);
}

static void grep_tree(struct grep *g, int at, const char *name, char *path, size_t plen, int top) {
  struct stat st;
  if (fstatat(at, name, &st, top ? 0 : AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (top ? 0 : O_NOFOLLOW));
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
      if (fd >= 0) close(fd);
      return;
    }
    struct dirent *e;
    while (g->left > 0 && (e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      size_t nlen = strlen(e->d_name), at2 = plen;
      if (plen + nlen + 2 >= PATH_MAX) continue;
      if (plen == 0 || path[plen - 1] != '/') path[at2++] = '/';
      memcpy(path + at2, e->d_name, nlen + 1);
      grep_tree(g, dirfd(d), e->d_name, path, at2 + nlen, 0);
      path[plen] = 0;
    }
    closedir(d);
    return;
  }
  if (!S_ISREG(st.st_mode)) return; /* -D skip; symlinks below the start are not followed */
  const char *base = strrchr(path, '/');
  if (g->include && fnmatch(g->include, base ? base + 1 : path, 0) != 0) return;
  int fd = openat(at, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (top ? 0 : O_NOFOLLOW));
  if (fd < 0) return;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return;
  }
  fcntl(fd, F_SETFL, 0);
  grep_file(g, fd, path);
}

static int b_grep(int argc, char **argv) {
  struct stat st;
  if (argc != 5) return fail("grep: usage: grep PATH CAP FLAGS PATTERN INCLUDE");
  if (stat(argv[0], &st) != 0) return fail("No such file or directory");
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
    dprintf(2, "Not a regular file%s\n", kind_of(st.st_mode));
    return 1;
  }
  int err;
  PCRE2_SIZE off;
  uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (strcmp(argv[2], "-i") ? 0 : PCRE2_CASELESS);
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)argv[3], PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
  if (!re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    dprintf(2, "grep: %s\n", (char *)msg);
    return 2;
  }
  struct grep g = {re, pcre2_match_data_create_from_pattern(re, NULL), argv[4][0] ? argv[4] : NULL,
                   atoll(argv[1]), atoll(argv[1]), NULL, 0};
  char path[PATH_MAX];
  size_t plen;
  if (copy_path_into(path, argv[0], &plen)) return 1;
  if (g.md) grep_tree(&g, AT_FDCWD, argv[0], path, plen, 1);
  free(g.line);
  pcre2_match_data_free(g.md);
  pcre2_code_free(re);
  return 0;
}
#endif

struct builtin {
  const char *name;
  int (*run)(int argc, char **argv);
};

static const struct builtin BUILTINS[] = {
  {"resolve", b_resolve}, {"read", b_read},     {"size", b_size},     {"cat", b_cat},
  {"stat", b_stat},       {"list", b_list},     {"scan", b_scan},     {"mkdir", b_mkdir},
  {"delete", b_delete},   {"remove", b_remove}, {"move", b_move},     {"copy", b_copy},
  {"stage", b_stage},     {"commit", b_commit},
#ifdef AGENT_PCRE2
  {"grep", b_grep},
#endif
};

/* The names of the built-ins, space-separated, for the agent's hello. */
void list_builtins(char *out, size_t size) {
  size_t len = 0;
  out[0] = 0;
  for (size_t i = 0; i < sizeof BUILTINS / sizeof *BUILTINS; i++) {
    int n = snprintf(out + len, size - len, "%s%s", len ? " " : "", BUILTINS[i].name);
    if (n < 0 || (size_t)n >= size - len) break;
    len += (size_t)n;
  }
}

int run_builtin(char **argv) {
  int argc = 0;
  while (argv[argc]) argc++;
  for (size_t i = 0; i < sizeof BUILTINS / sizeof *BUILTINS; i++) {
    if (strcmp(BUILTINS[i].name, argv[0])) continue;
    int rc = BUILTINS[i].run(argc - 1, argv + 1);
    if (flush_out() < 0 && rc == 0) rc = 1;
    return rc;
  }
  dprintf(2, "sandboxed: no built-in named %s\n", argv[0]);
  return 127;
}
