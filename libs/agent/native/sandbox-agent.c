/*
 * sandbox-agent: one per sandbox, started by the gateway through the runtime's own exec, as the
 * sandbox user, and spoken to over that exec's stdin and stdout only (no socket, no port).
 *
 * Frames, both ways: u32 payload length (big-endian), u8 type, u32 command id, payload.
 * The wire format is described once, in libs/agent/src/agent.protocol.ts.
 *
 * Every command runs under its own tracker T, a fork of the agent that is a child subreaper
 * (PR_SET_CHILD_SUBREAPER): whatever the command leaves behind, setsid and double forks
 * included, is re-parented to T, so T can end all of it when the command exits (unless the
 * request keeps background work) or when the gateway kills it. T dies with the agent
 * (PR_SET_PDEATHSIG), ending its tree first.
 *
 * The agent trusts nothing it reads either: frames are bounded, ids checked, and a malformed
 * frame ends the agent (the gateway starts a new one).
 */
#define _GNU_SOURCE
#include "agent-builtins.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AGENT_VERSION "sandboxed-agent 2"
#define MAX_FRAME (1u << 20)
#define MAX_CMDS 1024
#define MAX_STDIN_BUFFER (2u << 20)
#define CHUNK 65536
#define MAX_STRINGS 4096

enum {
  T_EXEC = 0x01, T_STDIN = 0x02, T_STDIN_EOF = 0x03, T_SIGNAL = 0x04, T_RESIZE = 0x05, T_CREDIT = 0x06,
  T_PING = 0x07,
  T_HELLO = 0x81, T_STDOUT = 0x82, T_STDERR = 0x83, T_EXIT = 0x84, T_FATAL = 0x85, T_PONG = 0x86,
  T_STDIN_ACK = 0x87,
};
enum { F_TTY = 1, F_KEEP_BACKGROUND = 2, F_BUILTIN = 4 };

struct cmd {
  int used;
  uint32_t id;
  pid_t tracker;
  int status_fd;
  int in_fd;
  int out_fd[2];
  int tty;
  uint32_t credit[2];
  char *inbuf;
  size_t inlen, inoff;
  int in_eof;
  int64_t deadline;
  int timed_out;
  int tracker_done;
  int status_known;
  int status;
};

static struct cmd cmds[MAX_CMDS];
static int64_t idle_ms;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3); /* the gateway went away */
    p += n;
    len -= (size_t)n;
  }
}

static void send_frame(uint8_t type, uint32_t id, const void *payload, uint32_t len) {
  unsigned char head[9];
  put32(head, len);
  head[4] = type;
  put32(head + 5, id);
  write_all(1, head, 9);
  if (len) write_all(1, payload, len);
}

static void fatal(const char *msg) {
  send_frame(T_FATAL, 0, msg, (uint32_t)strlen(msg));
  exit(2);
}

static struct cmd *find_cmd(uint32_t id) {
  for (int i = 0; i < MAX_CMDS; i++)
    if (cmds[i].used && cmds[i].id == id) return &cmds[i];
  return NULL;
}

static int live_cmds(void) {
  int n = 0;
  for (int i = 0; i < MAX_CMDS; i++) n += cmds[i].used;
  return n;
}

/* Signals every live descendant of `root` (not root itself), read from /proc. Returns how many. */
static int signal_tree(pid_t root, int sig) {
  size_t cap = 1024, n = 0;
  pid_t *pid = malloc(cap * sizeof *pid), *ppid = malloc(cap * sizeof *ppid);
  char *mark;
  int hit = 0;
  DIR *d = opendir("/proc");
  if (!d || !pid || !ppid) { if (d) closedir(d); free(pid); free(ppid); return 0; }
  struct dirent *e;
  while ((e = readdir(d))) {
    char path[300], buf[512];
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0) continue;
    buf[r] = 0;
    char *close_paren = strrchr(buf, ')');
    char state;
    int parent;
    if (!close_paren || sscanf(close_paren + 1, " %c %d", &state, &parent) != 2) continue;
    if (state == 'Z' || state == 'X' || state == 'x') continue;
    if (n == cap) {
      cap *= 2;
      pid_t *np = realloc(pid, cap * sizeof *pid), *npp = realloc(ppid, cap * sizeof *ppid);
      if (!np || !npp) { free(np ? np : pid); free(npp ? npp : ppid); closedir(d); return 0; }
      pid = np; ppid = npp;
    }
    pid[n] = atoi(e->d_name);
    ppid[n] = parent;
    n++;
  }
  closedir(d);
  mark = calloc(n ? n : 1, 1);
  if (mark) {
    for (int grew = 1; grew;) {
      grew = 0;
      for (size_t i = 0; i < n; i++) {
        if (mark[i]) continue;
        int under = ppid[i] == root;
        for (size_t j = 0; !under && j < n; j++) under = mark[j] && pid[j] == ppid[i];
        if (under) { mark[i] = 1; grew = 1; }
      }
    }
    for (size_t i = 0; i < n; i++)
      if (mark[i] && kill(pid[i], sig) == 0) hit++;
  }
  free(mark); free(pid); free(ppid);
  return hit;
}

/* Kills everything under this tracker until it has no child left, noting the command's status. */
static void reap_all(pid_t child, int *status, int *child_done) {
  int st;
  for (int round = 0; round < 100000; round++) {
    signal_tree(getpid(), SIGKILL);
    pid_t p = waitpid(-1, &st, 0);
    if (p == child) { *status = st; *child_done = 1; }
    if (p < 0 && errno == ECHILD) return;
  }
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Closes every descriptor but `keep` (the other commands' pipes must not outlive their owners). */
static void close_except(int *keep, int n) {
  qsort(keep, (size_t)n, sizeof *keep, cmp_int);
  unsigned from = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] < (int)from) continue;
    if ((unsigned)keep[i] > from) syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0);
    from = (unsigned)keep[i] + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0);
}

static struct rlimit nofile;

static char **build_env(char **req_env, int envc) {
  extern char **environ;
  int base = 0;
  while (environ[base]) base++;
  char **out = calloc((size_t)base + (size_t)envc + 1, sizeof *out);
  int n = 0;
  if (!out) return NULL;
  for (int i = 0; i < base; i++) {
    size_t klen = strcspn(environ[i], "=");
    int overridden = 0;
    for (int j = 0; j < envc && !overridden; j++)
      overridden = strncmp(req_env[j], environ[i], klen + 1) == 0;
    if (!overridden) out[n++] = environ[i];
  }
  for (int j = 0; j < envc; j++) out[n++] = req_env[j];
  out[n] = NULL;
  return out;
}

static void run_tracker(int flags, const char *cwd, char **argv, char **envp, int in_r, int out_w, int err_w,
                        int slave, int status_w, pid_t agent, uint16_t cols, uint16_t rows) {
  sigset_t wake;
  int kill_all = 0;
  int keep[] = {in_r, out_w, err_w, slave, status_w};
  close_except(keep, 5);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigemptyset(&wake);
  sigaddset(&wake, SIGCHLD);
  sigaddset(&wake, SIGUSR1);
  sigaddset(&wake, SIGTERM);
  sigaddset(&wake, SIGHUP);
  sigprocmask(SIG_BLOCK, &wake, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != agent) kill_all = 1;

  pid_t child = kill_all ? -1 : fork();
  if (child == 0) {
    sigset_t none;
    sigemptyset(&none);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, 0);
    setrlimit(RLIMIT_NOFILE, &nofile);
    setsid();
    if (flags & F_TTY) {
      struct winsize ws = {.ws_row = rows, .ws_col = cols};
      ioctl(slave, TIOCSCTTY, 0);
      if (cols && rows) ioctl(slave, TIOCSWINSZ, &ws);
      dup2(slave, 0); dup2(slave, 1); dup2(slave, 2);
    } else {
      dup2(in_r, 0); dup2(out_w, 1); dup2(err_w, 2);
    }
    syscall(SYS_close_range, 3, ~0U, 0);
    if (cwd[0] && chdir(cwd) != 0) {
      dprintf(2, "sandboxed: cannot change to cwd %s: no such directory, or not permitted\n", cwd);
      _exit(126);
    }
    if (flags & F_BUILTIN) _exit(run_builtin(argv));
    execvpe(argv[0], argv, envp);
    int err = errno;
    dprintf(2, "sandboxed: %s: %s\n", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  if (slave >= 0) close(slave);
  if (in_r >= 0) close(in_r);
  if (out_w >= 0) close(out_w);
  if (err_w >= 0) close(err_w);

  int status = SIGKILL, st;
  int child_done = child < 0;
  while (!child_done) {
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0)
      if (p == child) { status = st; child_done = 1; }
    if (child_done || (p < 0 && errno == ECHILD)) break;
    if (kill_all) { reap_all(child, &status, &child_done); break; }
    int sig = sigwaitinfo(&wake, NULL);
    if (sig == SIGUSR1 || sig == SIGTERM || sig == SIGHUP) kill_all = 1;
  }
  if (!(flags & F_KEEP_BACKGROUND) || kill_all) reap_all(child, &status, &child_done);
  write_all(status_w, &status, sizeof status);
  _exit(0);
}

/*
 * A built-in starts nothing, so it needs no tracker: one fork runs it and reports its status on
 * the status pipe itself. A kill (SIGUSR1, as for a tracker) or the agent's death ends it.
 */
static void run_builtin_process(const char *cwd, char **argv, int in_r, int out_w, int err_w, int status_w,
                                pid_t agent) {
  int keep[] = {in_r, out_w, err_w, status_w};
  close_except(keep, 4);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != agent) _exit(126);
  sigset_t none;
  sigemptyset(&none);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setrlimit(RLIMIT_NOFILE, &nofile);
  int st = fcntl(status_w, F_DUPFD_CLOEXEC, 10);
  dup2(in_r, 0); dup2(out_w, 1); dup2(err_w, 2);
  syscall(SYS_close_range, 3, (unsigned)st - 1, 0);
  syscall(SYS_close_range, (unsigned)st + 1, ~0U, 0);
  int rc = 126;
  if (cwd[0] && chdir(cwd) != 0) dprintf(2, "sandboxed: cannot change to cwd %s: no such directory, or not permitted\n", cwd);
  else rc = run_builtin(argv);
  int status = (rc & 0xff) << 8;
  write_all(st, &status, sizeof status);
  _exit(rc & 0xff);
}

struct reader {
  const unsigned char *p;
  uint32_t left;
};

static int take(struct reader *r, void *out, uint32_t n) {
  if (r->left < n) return -1;
  memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
  return 0;
}

static char *take_string(struct reader *r) {
  unsigned char lenb[4];
  if (take(r, lenb, 4)) return NULL;
  uint32_t len = get32(lenb);
  if (len > r->left) return NULL;
  if (memchr(r->p, 0, len)) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  memcpy(s, r->p, len);
  s[len] = 0;
  r->p += len;
  r->left -= len;
  return s;
}

static void free_strings(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

static char **take_strings(struct reader *r, int *count) {
  unsigned char nb[4];
  if (take(r, nb, 4)) return NULL;
  uint32_t n = get32(nb);
  if (n > MAX_STRINGS) return NULL;
  char **v = calloc(n + 1, sizeof *v);
  if (!v) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    if (!(v[i] = take_string(r))) { free_strings(v, (int)i); return NULL; }
  }
  *count = (int)n;
  return v;
}

static void send_exit(struct cmd *c) {
  unsigned char p[6];
  int code = -1, sig = 0;
  if (c->status_known && WIFEXITED(c->status)) code = WEXITSTATUS(c->status);
  else if (c->status_known && WIFSIGNALED(c->status)) sig = WTERMSIG(c->status);
  else sig = SIGKILL;
  put32(p, (uint32_t)code);
  p[4] = (unsigned char)sig;
  p[5] = (unsigned char)c->timed_out;
  send_frame(T_EXIT, c->id, p, 6);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void finish_if_done(struct cmd *c) {
  if (!c->used || !c->tracker_done || c->out_fd[0] >= 0 || c->out_fd[1] >= 0) return;
  send_exit(c);
  close_fd(&c->in_fd);
  free(c->inbuf);
  memset(c, 0, sizeof *c);
}

/* Forwards what the command wrote, within the credit the gateway granted for that stream. */
static void pump_output(struct cmd *c, int which) {
  static char buf[CHUNK];
  while (c->out_fd[which] >= 0 && c->credit[which] > 0) {
    size_t want = c->credit[which] < CHUNK ? c->credit[which] : CHUNK;
    ssize_t n = read(c->out_fd[which], buf, want);
    if (n > 0) {
      send_frame(which ? T_STDERR : T_STDOUT, c->id, buf, (uint32_t)n);
      c->credit[which] -= (uint32_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      /* Nothing now: after the tracker is gone, whatever still holds the pipe was left running on purpose. */
      if (c->tracker_done) close_fd(&c->out_fd[which]);
      return;
    }
    close_fd(&c->out_fd[which]);
  }
}

static void pump_stdin(struct cmd *c) {
  while (c->in_fd >= 0 && c->inoff < c->inlen) {
    ssize_t n = write(c->in_fd, c->inbuf + c->inoff, c->inlen - c->inoff);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) { /* the command closed its stdin: what was sent is acknowledged and dropped */
      n = (ssize_t)(c->inlen - c->inoff);
      c->in_eof = 1;
    }
    unsigned char ack[4];
    put32(ack, (uint32_t)n);
    send_frame(T_STDIN_ACK, c->id, ack, 4);
    c->inoff += (size_t)n;
  }
  if (c->inoff == c->inlen) c->inoff = c->inlen = 0;
  if (c->in_eof && c->inlen == 0 && !c->tty) close_fd(&c->in_fd);
}

static void kill_cmd(struct cmd *c, int sig) {
  if (c->tracker_done) return;
  if (sig == SIGKILL) kill(c->tracker, SIGUSR1);
  else signal_tree(c->tracker, sig);
}

static void start_cmd(uint32_t id, const unsigned char *payload, uint32_t len) {
  struct reader r = {payload, len};
  unsigned char flags, tb[4], sz[4];
  char *cwd = NULL, **argv = NULL, **env = NULL, **envp = NULL;
  int argc = 0, envc = 0;
  struct cmd *c = NULL;
  if (id == 0 || find_cmd(id)) fatal("exec: command id 0 or already in use");
  if (take(&r, &flags, 1) || take(&r, tb, 4) || take(&r, sz, 4) || !(cwd = take_string(&r)) ||
      !(argv = take_strings(&r, &argc)) || !(env = take_strings(&r, &envc)) || r.left != 0 || argc == 0)
    fatal("exec: malformed request");
  for (int i = 0; i < envc; i++)
    if (!strchr(env[i], '=') || env[i][0] == '=') fatal("exec: malformed env entry");
  for (int i = 0; i < MAX_CMDS && !c; i++)
    if (!cmds[i].used) c = &cmds[i];
  uint16_t cols = (uint16_t)((sz[0] << 8) | sz[1]), rows = (uint16_t)((sz[2] << 8) | sz[3]);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, st[2] = {-1, -1}, master = -1, slave = -1;
  int ok = c != NULL && (envp = build_env(env, envc)) != NULL && pipe2(st, O_CLOEXEC) == 0;
  if (ok && (flags & F_TTY)) {
    ok = openpty(&master, &slave, NULL, NULL, NULL) == 0;
  } else if (ok) {
    ok = pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0;
  }
  pid_t agent = getpid(), t = ok ? fork() : -1;
  if (t == 0) {
    close(0);
    close(1);
    if ((flags & F_BUILTIN) && !(flags & F_TTY)) run_builtin_process(cwd, argv, in[0], out[1], err[1], st[1], agent);
    run_tracker(flags, cwd, argv, envp, in[0], out[1], err[1], slave, st[1], agent, cols, rows);
  }
  if (t < 0) {
    const char *msg = c ? "sandboxed: the agent could not start the command (out of processes or memory?)\n"
                        : "sandboxed: too many commands at once in this sandbox\n";
    int fds[] = {in[0], in[1], out[0], out[1], err[0], err[1], st[0], st[1], master, slave};
    for (unsigned i = 0; i < sizeof fds / sizeof *fds; i++)
      if (fds[i] >= 0) close(fds[i]);
    send_frame(T_STDERR, id, msg, (uint32_t)strlen(msg));
    unsigned char p[6];
    put32(p, 126);
    p[4] = 0;
    p[5] = 0;
    send_frame(T_EXIT, id, p, 6);
  } else {
    memset(c, 0, sizeof *c);
    c->used = 1;
    c->id = id;
    c->tracker = t;
    c->status_fd = st[0];
    close(st[1]);
    c->tty = (flags & F_TTY) != 0;
    if (c->tty) {
      close(slave);
      c->in_fd = dup(master);
      c->out_fd[0] = master;
      c->out_fd[1] = -1;
    } else {
      close(in[0]); close(out[1]); close(err[1]);
      c->in_fd = in[1];
      c->out_fd[0] = out[0];
      c->out_fd[1] = err[0];
    }
    for (int i = 0; i < 2; i++)
      if (c->out_fd[i] >= 0) fcntl(c->out_fd[i], F_SETFL, O_NONBLOCK);
    fcntl(c->in_fd, F_SETFL, O_NONBLOCK);
    uint32_t timeout = get32(tb);
    c->deadline = timeout ? now_ms() + timeout : 0;
  }
  free(cwd);
  free_strings(argv, argc);
  free_strings(env, envc);
  free(envp);
}

static void handle_frame(uint8_t type, uint32_t id, const unsigned char *p, uint32_t len) {
  if (type == T_EXEC) { start_cmd(id, p, len); return; }
  if (type == T_PING) { send_frame(T_PONG, id, p, len); return; }
  struct cmd *c = find_cmd(id);
  if (!c) return; /* a command that just ended: the gateway learns from its exit frame */
  switch (type) {
  case T_STDIN:
    if (c->in_eof || c->in_fd < 0) break;
    /* Only unacknowledged bytes count: what the pipe already took is dropped when room is short. */
    if (c->inoff && c->inlen + len > MAX_STDIN_BUFFER) {
      memmove(c->inbuf, c->inbuf + c->inoff, c->inlen - c->inoff);
      c->inlen -= c->inoff;
      c->inoff = 0;
    }
    if (c->inlen + len > MAX_STDIN_BUFFER) fatal("stdin: more than the window without acknowledgement");
    if (len) {
      char *grown = realloc(c->inbuf, c->inlen + len);
      if (!grown) fatal("stdin: out of memory");
      c->inbuf = grown;
      memcpy(c->inbuf + c->inlen, p, len);
      c->inlen += len;
    }
    pump_stdin(c);
    break;
  case T_STDIN_EOF:
    c->in_eof = 1;
    pump_stdin(c);
    break;
  case T_SIGNAL:
    if (len != 1 || p[0] == 0 || p[0] >= NSIG) fatal("signal: malformed");
    kill_cmd(c, p[0]);
    break;
  case T_RESIZE:
    if (len != 4) fatal("resize: malformed");
    if (c->tty && c->in_fd >= 0) {
      struct winsize ws = {.ws_col = (unsigned short)((p[0] << 8) | p[1]), .ws_row = (unsigned short)((p[2] << 8) | p[3])};
      ioctl(c->in_fd, TIOCSWINSZ, &ws);
    }
    break;
  case T_CREDIT:
    if (len != 5 || p[0] > 1) fatal("credit: malformed");
    {
      uint64_t next = (uint64_t)c->credit[p[0]] + get32(p + 1);
      c->credit[p[0]] = next > 0x7fffffff ? 0x7fffffff : (uint32_t)next;
    }
    pump_output(c, p[0]);
    break;
  default:
    fatal("unknown frame type");
  }
  finish_if_done(c);
}

static unsigned char *rbuf;
static size_t rlen;

static int read_frames(void) {
  if (rlen == MAX_FRAME + 9) fatal("frame: longer than the limit");
  ssize_t n = read(0, rbuf + rlen, MAX_FRAME + 9 - rlen);
  if (n < 0 && errno == EINTR) return 0;
  if (n <= 0) return -1;
  rlen += (size_t)n;
  size_t off = 0;
  while (rlen - off >= 9) {
    uint32_t len = get32(rbuf + off);
    if (len > MAX_FRAME) fatal("frame: longer than the limit");
    if (rlen - off < 9 + (size_t)len) break;
    handle_frame(rbuf[off + 4], get32(rbuf + off + 5), rbuf + off + 9, len);
    off += 9 + len;
  }
  memmove(rbuf, rbuf + off, rlen - off);
  rlen -= off;
  return 0;
}

static void reap_trackers(void) {
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_CMDS; i++) {
      struct cmd *c = &cmds[i];
      if (!c->used || c->tracker != p) continue;
      /* The status pipe says how the command ended; a tracker that died first reports as killed. */
      if (c->status_fd >= 0) {
        int s;
        if (read(c->status_fd, &s, sizeof s) == sizeof s) { c->status = s; c->status_known = 1; }
        close_fd(&c->status_fd);
      }
      c->tracker_done = 1;
      pump_output(c, 0);
      pump_output(c, 1);
      finish_if_done(c);
    }
  }
}

/* Copies this binary to dest (through a temp sibling and a rename), for images without a shell's tools. */
static int install_self(const char *dest) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", dest, (int)getpid()) >= (int)sizeof tmp) return 2;
  int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
  if (in < 0 || out < 0) { perror("sandbox-agent --install"); return 1; }
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) { perror("sandbox-agent --install"); unlink(tmp); return 1; }
      off += w;
    }
  if (n < 0 || fchmod(out, 0755) != 0 || close(out) != 0 || rename(tmp, dest) != 0) {
    perror("sandbox-agent --install");
    unlink(tmp);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--install") == 0) return install_self(argv[2]);
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--idle-ms") == 0) idle_ms = atoll(argv[i + 1]);
  if (argc > 1 && strcmp(argv[1], "--version") == 0) { puts(AGENT_VERSION); return 0; }
  signal(SIGPIPE, SIG_IGN);
  getrlimit(RLIMIT_NOFILE, &nofile);
  struct rlimit raised = {nofile.rlim_max, nofile.rlim_max};
  setrlimit(RLIMIT_NOFILE, &raised);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  rbuf = malloc(MAX_FRAME + 9);
  if (sfd < 0 || !rbuf) return 2;
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  /* hello: the version, then the built-ins this build has, one line */
  char hello[1024];
  int hlen = snprintf(hello, sizeof hello, "%s\n", AGENT_VERSION);
  list_builtins(hello + hlen, sizeof hello - (size_t)hlen);
  send_frame(T_HELLO, 0, hello, (uint32_t)strlen(hello));

  static struct pollfd pfd[2 + MAX_CMDS * 3];
  static struct { struct cmd *c; int kind; } owner[2 + MAX_CMDS * 3];
  int64_t idle_since = now_ms();
  for (;;) {
    int n = 0;
    pfd[n] = (struct pollfd){.fd = 0, .events = POLLIN};
    owner[n++].c = NULL;
    pfd[n] = (struct pollfd){.fd = sfd, .events = POLLIN};
    owner[n++].c = NULL;
    int64_t now = now_ms(), wake = -1;
    for (int i = 0; i < MAX_CMDS; i++) {
      struct cmd *c = &cmds[i];
      if (!c->used) continue;
      if (c->deadline && !c->timed_out && !c->tracker_done) {
        if (now >= c->deadline) { c->timed_out = 1; kill_cmd(c, SIGKILL); }
        else if (wake < 0 || c->deadline - now < wake) wake = c->deadline - now;
      }
      for (int k = 0; k < 2; k++)
        if (c->out_fd[k] >= 0 && c->credit[k] > 0) {
          pfd[n] = (struct pollfd){.fd = c->out_fd[k], .events = POLLIN};
          owner[n].c = c;
          owner[n++].kind = k;
        }
      if (c->in_fd >= 0 && c->inlen > c->inoff) {
        pfd[n] = (struct pollfd){.fd = c->in_fd, .events = POLLOUT};
        owner[n].c = c;
        owner[n++].kind = 2;
      }
    }
    if (idle_ms > 0 && live_cmds() == 0) {
      int64_t left = idle_since + idle_ms - now;
      if (left <= 0) return 0;
      if (wake < 0 || left < wake) wake = left;
    }
    int r = poll(pfd, (nfds_t)n, wake < 0 ? -1 : (int)(wake > 60000 ? 60000 : wake));
    if (r < 0 && errno != EINTR) return 2;
    if (r <= 0) continue;
    if (pfd[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      reap_trackers();
    }
    for (int i = 2; i < n; i++) {
      struct cmd *c = owner[i].c;
      if (!pfd[i].revents || !c->used) continue;
      if (owner[i].kind == 2) pump_stdin(c);
      else pump_output(c, owner[i].kind);
      finish_if_done(c);
    }
    if (pfd[0].revents) {
      if (read_frames() < 0) {
        /* The gateway closed our stdin: end every command, then go. */
        for (int i = 0; i < MAX_CMDS; i++)
          if (cmds[i].used) kill_cmd(&cmds[i], SIGKILL);
        return 0;
      }
      idle_since = now_ms();
    }
    if (live_cmds() > 0) idle_since = now_ms();
  }
}
