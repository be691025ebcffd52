/*
 * sandbox-helper: the only program the local runtime starts with host privileges.
 *
 * Static (no dynamic loader, so no LD_* or GCONV_* is ever read), started with an empty
 * environment, and driven by argv alone. It does every privileged step itself, in this order:
 *   join the sandbox's cgroups -> set rlimits -> open the namespace fds -> drop to the sandbox
 *   uid on the host -> enter the sandbox's user namespace (owned by that uid) and the rest ->
 *   drop every capability, no_new_privs, seccomp -> only then use what the caller supplied
 *   (cwd, env, argv).
 *
 *   sandbox-helper holder  [--cgroup DIR]... [--uid U --gid G] -- BWRAP ARGS...
 *   sandbox-helper exec    [--target PID --sandbox ID] [--cgroup DIR]... [--uid U --gid G] [--rlimit R=N]...
 *                          [--keep-background] [--cwd DIR] [--env K=V]... -- ARGV...
 *   sandbox-helper connect --target PID --sandbox ID [--uid U --gid G] --port N
 *   sandbox-helper resize  --target PID [--uid U --gid G] --cols C --rows R   (the tty on PID's stdin)
 *   sandbox-helper version
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/nsfs.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define HELPER_VERSION "3"
#define MAX_LIST 256
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#else
#error "sandbox-helper: unsupported architecture"
#endif

/* The argv strings, as the kernel shows them in /proc/<pid>/cmdline. */
static char *arg_area;
static size_t arg_area_len;

static void die(int code, const char *what) {
  dprintf(2, "sandbox-helper: %s: %s\n", what, strerror(errno));
  _exit(code);
}

static void fail(int code, const char *msg) {
  dprintf(2, "sandbox-helper: %s\n", msg);
  _exit(code);
}

struct opts {
  const char *mode;
  long target;
  long uid, gid;
  long port;
  long cols, rows;
  const char *sandbox;
  int keep_background;
  const char *cwd;
  const char *cgroups[MAX_LIST];
  int n_cgroups;
  char *envs[MAX_LIST * 16 + 1];
  int n_envs;
  const char *rlimits[MAX_LIST];
  int n_rlimits;
  char **argv;
};

static long parse_num(const char *s, long min, long max, const char *what) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
    dprintf(2, "sandbox-helper: invalid %s: %s\n", what, s);
    _exit(125);
  }
  return v;
}

static void parse(int argc, char **argv, struct opts *o) {
  memset(o, 0, sizeof(*o));
  o->target = o->uid = o->gid = o->port = o->cols = o->rows = -1;
  if (argc < 2) fail(125, "usage: sandbox-helper holder|exec|connect|version ...");
  o->mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) {
      o->argv = &argv[i + 1];
      return;
    }
    if (strcmp(a, "--keep-background") == 0) {
      o->keep_background = 1;
      continue;
    }
    if (!v) fail(125, "missing option value");
    if (strcmp(a, "--target") == 0) o->target = parse_num(v, 2, 1L << 30, "target");
    else if (strcmp(a, "--uid") == 0) o->uid = parse_num(v, 0, 0x7ffffffe, "uid");
    else if (strcmp(a, "--gid") == 0) o->gid = parse_num(v, 0, 0x7ffffffe, "gid");
    else if (strcmp(a, "--port") == 0) o->port = parse_num(v, 1, 65535, "port");
    else if (strcmp(a, "--cols") == 0) o->cols = parse_num(v, 1, 1000, "cols");
    else if (strcmp(a, "--rows") == 0) o->rows = parse_num(v, 1, 1000, "rows");
    else if (strcmp(a, "--cwd") == 0) o->cwd = v;
    else if (strcmp(a, "--sandbox") == 0) o->sandbox = v;
    else if (strcmp(a, "--cgroup") == 0 && o->n_cgroups < MAX_LIST) o->cgroups[o->n_cgroups++] = v;
    else if (strcmp(a, "--rlimit") == 0 && o->n_rlimits < MAX_LIST) o->rlimits[o->n_rlimits++] = v;
    else if (strcmp(a, "--env") == 0 && o->n_envs < MAX_LIST * 16) o->envs[o->n_envs++] = argv[i + 1];
    else fail(125, "unknown option or too many values");
    i++;
  }
}

/* Writes our pid into each cgroup (v1: one dir per controller; v2: one dir). Before anything else. */
static void join_cgroups(const struct opts *o) {
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%d\n", getpid());
  for (int i = 0; i < o->n_cgroups; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, len) != len) die(125, path);
    close(fd);
  }
}

static void apply_rlimits(const struct opts *o) {
  static const struct { const char *name; int res; } names[] = {
      {"nofile", RLIMIT_NOFILE}, {"fsize", RLIMIT_FSIZE}, {"core", RLIMIT_CORE},
      {"data", RLIMIT_DATA},     {"nproc", RLIMIT_NPROC}, {"stack", RLIMIT_STACK},
  };
  for (int i = 0; i < o->n_rlimits; i++) {
    const char *eq = strchr(o->rlimits[i], '=');
    if (!eq) fail(125, "rlimit must be NAME=VALUE");
    int res = -1;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
      if (strncmp(o->rlimits[i], names[k].name, (size_t)(eq - o->rlimits[i])) == 0 &&
          names[k].name[eq - o->rlimits[i]] == '\0')
        res = names[k].res;
    if (res < 0) fail(125, "unknown rlimit");
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)parse_num(eq + 1, 0, 0x7fffffffffffffffL, "rlimit");
    if (setrlimit(res, &rl) < 0) die(125, "setrlimit");
  }
}

/* Host root -> the sandbox uid, for good: no supplementary groups, real = effective = saved. */
static void drop_host_privileges(const struct opts *o) {
  if (o->uid < 0) return;
  if (o->gid < 0) fail(125, "--uid needs --gid");
  if (setgroups(0, NULL) < 0 && errno != EPERM) die(125, "setgroups");
  if (setresgid(o->gid, o->gid, o->gid) < 0) die(125, "setresgid");
  if (setresuid(o->uid, o->uid, o->uid) < 0) die(125, "setresuid");
  if (getuid() != (uid_t)o->uid || geteuid() != (uid_t)o->uid || setuid(0) == 0) fail(125, "privilege drop failed");
}

/* After entering the user namespace we hold its capabilities; give them all up. */
static void drop_capabilities(void) {
  for (int cap = 0; cap <= 63; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 || errno == EINVAL) continue;
    /* Unprivileged on the host (isolation "none" after the uid drop): there is nothing to drop. */
    if (errno == EPERM && geteuid() != 0) break;
    die(125, "drop bounding set");
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct { unsigned int version; int pid; } hdr = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
  struct { unsigned int effective, permitted, inheritable; } data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &hdr, data) < 0) die(125, "capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die(125, "no_new_privs");
}

/* Syscalls no sandbox process may make: Docker's default profile denies the same ones. */
static const int denied_syscalls[] = {
    SYS_acct, SYS_add_key, SYS_bpf, SYS_clock_adjtime, SYS_clock_settime, SYS_delete_module,
    SYS_finit_module, SYS_init_module, SYS_kcmp, SYS_kexec_load, SYS_keyctl, SYS_mount,
    SYS_move_pages, SYS_mbind, SYS_set_mempolicy, SYS_name_to_handle_at, SYS_open_by_handle_at,
    SYS_perf_event_open, SYS_pivot_root, SYS_process_vm_readv, SYS_process_vm_writev, SYS_ptrace,
    SYS_quotactl, SYS_reboot, SYS_request_key, SYS_setns, SYS_settimeofday, SYS_swapon, SYS_swapoff,
    SYS_umount2, SYS_unshare, SYS_userfaultfd, SYS_vhangup, SYS_chroot, SYS_syslog, SYS_personality,
#ifdef SYS_kexec_file_load
    SYS_kexec_file_load,
#endif
#ifdef SYS_iopl
    SYS_iopl, SYS_ioperm,
#endif
#ifdef SYS_lookup_dcookie
    SYS_lookup_dcookie,
#endif
#ifdef SYS_uselib
    SYS_uselib, SYS_ustat, SYS_sysfs, SYS__sysctl, SYS_nfsservctl,
#endif
#ifdef SYS_create_module
    SYS_create_module, SYS_get_kernel_syms, SYS_query_module,
#endif
#ifdef SYS_fsopen
    SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_open_tree, SYS_move_mount,
#endif
#ifdef SYS_mount_setattr
    SYS_mount_setattr,
#endif
#ifdef SYS_quotactl_fd
    SYS_quotactl_fd,
#endif
#ifdef SYS_io_uring_setup
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
#endif
#ifdef SYS_pidfd_getfd
    SYS_pidfd_getfd,
#endif
#ifdef SYS_process_madvise
    SYS_process_madvise,
#endif
#ifdef SYS_fanotify_init
    SYS_fanotify_init,
#endif
};

#define NS_CLONE_FLAGS \
  (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(__u64))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define EPERM_RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

/* personality(2) is allowed only to query or set PER_LINUX (0) and 0xffffffff (query). */
static int build_filter(struct sock_filter *f, int max) {
  int n = 0;
  const int count = (int)(sizeof denied_syscalls / sizeof denied_syscalls[0]);
  if (max < count * 2 + 40) return -1;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); /* x32 ABI */
  f[n++] = (struct sock_filter)RET(EPERM_RET);
#endif
  /* personality: let PER_LINUX and queries through (glibc, setarch -R need none of the rest). */
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, 6);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 1, 0);
  f[n++] = (struct sock_filter)RET(EPERM_RET);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW); /* unreachable, keeps the jump count simple */
  for (int i = 0; i < count; i++) {
    if (denied_syscalls[i] == SYS_personality) continue;
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied_syscalls[i], 0, 1);
    f[n++] = (struct sock_filter)RET(EPERM_RET);
  }
#ifdef SYS_clone3
  /* clone3 hides its flags in memory a filter cannot read; ENOSYS makes libc fall back to clone. */
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
#endif
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_CLONE_FLAGS, 0, 1);
  f[n++] = (struct sock_filter)RET(EPERM_RET);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  /* ioctl: no faking input on the controlling terminal (TIOCSTI) or the console (TIOCLINUX). */
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0);
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 1, 0);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)RET(EPERM_RET);
  f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  return n;
}

static struct sock_fprog seccomp_program(void) {
  static struct sock_filter filter[512];
  int n = build_filter(filter, 512);
  if (n < 0) fail(125, "seccomp filter too large");
  struct sock_fprog prog = {(unsigned short)n, filter};
  return prog;
}

static void install_seccomp(void) {
  struct sock_fprog prog = seccomp_program();
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) die(125, "seccomp");
}

static int open_ns(long target, const char *name) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/%s", target, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(125, path);
  return fd;
}

static int same_file(int a, int b) {
  struct stat sa, sb;
  if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0) die(125, "fstat");
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The target must still be this sandbox's holder once its namespace fds are open (a pid reused by
 * another sandbox's holder in between would otherwise be joined): its argv carries the id.
 */
static void verify_holder(const struct opts *o) {
  if (!o->sandbox) fail(125, "--sandbox is required with --target");
  char path[64], buf[65536], want[256];
  snprintf(path, sizeof path, "/proc/%ld/cmdline", o->target);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(125, path);
  ssize_t n = 0, r;
  while (n < (ssize_t)sizeof buf && (r = read(fd, buf + n, sizeof buf - (size_t)n)) > 0) n += r;
  close(fd);
  int wlen = snprintf(want, sizeof want, "SANDBOXED_SANDBOX_ID%c%s%c", 0, o->sandbox, 0);
  if (wlen <= 0 || wlen >= (int)sizeof want || !memmem(buf, (size_t)n, want, (size_t)wlen))
    fail(125, "the target is not this sandbox's holder (it exited)");
}

/*
 * Enters the holder's namespaces as the (unprivileged) sandbox uid. bwrap --disable-userns puts
 * the holder in a nested user namespace whose parent owns the other namespaces, so join the
 * parent first, then the rest, then the nested one.
 */
static void enter_namespaces(const struct opts *o, int with_mount) {
  static const struct { const char *name; int type; } kinds[] = {
      {"ns/ipc", CLONE_NEWIPC}, {"ns/uts", CLONE_NEWUTS}, {"ns/net", CLONE_NEWNET},
      {"ns/pid", CLONE_NEWPID}, {"ns/cgroup", CLONE_NEWCGROUP}, {"ns/mnt", CLONE_NEWNS},
  };
  int user = open_ns(o->target, "ns/user");
  int fds[6];
  for (int i = 0; i < 6; i++) fds[i] = open_ns(o->target, kinds[i].name);
  int root = with_mount ? open_ns(o->target, "root") : -1;
  int self_user = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
  int self_fds[6];
  for (int i = 0; i < 6; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/%s", kinds[i].name);
    self_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
  }
  if (self_user < 0) die(125, "/proc/self/ns/user");
  verify_holder(o);
  if (same_file(user, self_user)) fail(125, "the sandbox has no user namespace of its own");
  int parent = ioctl(user, NS_GET_PARENT);

  drop_host_privileges(o);

  if (parent >= 0 && !same_file(parent, self_user) && setns(parent, CLONE_NEWUSER) < 0) die(125, "setns parent user");
  for (int i = 0; i < 6; i++) {
    if (!with_mount && kinds[i].type != CLONE_NEWNET) continue;
    if (self_fds[i] >= 0 && same_file(fds[i], self_fds[i])) continue;
    if (setns(fds[i], kinds[i].type) < 0) die(125, kinds[i].name);
  }
  if (setns(user, CLONE_NEWUSER) < 0) die(125, "setns user");
  if (with_mount) {
    if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0) die(125, "enter the sandbox root");
    close(root);
  }
  close(user);
  if (parent >= 0) close(parent);
  close(self_user);
  for (int i = 0; i < 6; i++) {
    close(fds[i]);
    if (self_fds[i] >= 0) close(self_fds[i]);
  }
}

static const char *env_lookup(char **envp, const char *key) {
  size_t len = strlen(key);
  for (char **e = envp; *e; e++)
    if (strncmp(*e, key, len) == 0 && (*e)[len] == '=') return *e + len + 1;
  return NULL;
}

/* execvpe with the caller's PATH, as the sandbox user: errors look like env(1)'s. */
static void exec_program(char **argv, char **envp) {
  const char *file = argv[0];
  int err = ENOENT;
  if (strchr(file, '/')) {
    execve(file, argv, envp);
    err = errno;
  } else {
    const char *path = env_lookup(envp, "PATH");
    if (!path) path = DEFAULT_PATH;
    char buf[8192];
    for (const char *p = path;; p++) {
      const char *end = strchr(p, ':');
      size_t dlen = end ? (size_t)(end - p) : strlen(p);
      if (dlen + strlen(file) + 2 < sizeof buf) {
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)dlen, p, dlen ? "/" : "", file);
        execve(buf, argv, envp);
        if (errno != ENOENT && errno != ENOTDIR) err = errno;
      }
      if (!end) break;
      p = end;
    }
  }
  dprintf(2, "sandbox: '%s': %s\n", file, strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

static volatile pid_t child_pid = -1;

static void forward_signal(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

static void kill_children(void);

/* Waits for `pid` (reaping any other child meanwhile), forwarding signals to it; mirrors its end. */
static int wait_and_mirror(pid_t pid, int reap_rest) {
  static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  child_pid = pid;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &sa, NULL);
  int status;
  for (;;) {
    pid_t done = waitpid(reap_rest ? -1 : pid, &status, 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) die(125, "waitpid");
  }
  child_pid = -1;
  if (reap_rest) kill_children();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WTERMSIG(status);
  signal(sig, SIG_DFL);
  kill(getpid(), sig);
  return 128 + sig;
}

/* SIGKILLs every child of this process (as a subreaper, every orphan below it) until none is left. */
static void kill_children(void) {
  struct timespec pause = {0, 1000000};
  for (int round = 0; round < 5000; round++) {
    int found = 0;
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      char path[300], stat[512];
      snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n = read(fd, stat, sizeof stat - 1);
      close(fd);
      if (n <= 0) continue;
      stat[n] = '\0';
      char *end = strrchr(stat, ')');
      char state;
      int ppid;
      if (end && sscanf(end + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid()) {
        kill((pid_t)atoi(e->d_name), SIGKILL);
        found++;
      }
    }
    if (proc) closedir(proc);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    if (!found && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD) return;
    nanosleep(&pause, NULL);
  }
}

/*
 * Inside the sandbox: runs the program as a grandchild and, unless --keep-background, is the
 * subreaper of everything it starts (setsid and double forks included), killed once it exits.
 */
static char *dup_or_die(const char *s) {
  char *d = strdup(s);
  if (!d) fail(125, "out of memory");
  return d;
}

/*
 * The reaper is visible inside the sandbox: keep its command line to a name, not the helper's
 * arguments (host paths, the program's environment). Copies what the program needs first.
 */
static void hide_arguments(struct opts *o) {
  int argc = 0;
  while (o->argv[argc]) argc++;
  char **argv = calloc((size_t)argc + 1, sizeof(char *));
  if (!argv) fail(125, "out of memory");
  for (int i = 0; i < argc; i++) argv[i] = dup_or_die(o->argv[i]);
  o->argv = argv;
  for (int i = 0; i < o->n_envs; i++) o->envs[i] = dup_or_die(o->envs[i]);
  if (o->cwd) o->cwd = dup_or_die(o->cwd);
  if (arg_area && arg_area_len > 0) {
    memset(arg_area, 0, arg_area_len);
    strncpy(arg_area, "sandboxed-exec", arg_area_len - 1);
  }
}

static int run_program(struct opts *o) {
  hide_arguments(o);
  if (!o->keep_background) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  pid_t pid = fork();
  if (pid < 0) die(125, "fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (o->cwd && chdir(o->cwd) < 0) {
      dprintf(2, "sandbox: cannot change directory to '%s': %s\n", o->cwd, strerror(errno));
      _exit(125);
    }
    exec_program(o->argv, o->envs);
  }
  int code = wait_and_mirror(pid, !o->keep_background);
  return code;
}

static int run_exec(struct opts *o) {
  if (!o->argv || !o->argv[0]) fail(125, "exec needs a program");
  join_cgroups(o);
  apply_rlimits(o);
  if (o->target >= 0) enter_namespaces(o, 1);
  else drop_host_privileges(o); /* isolation "none": on the host, still never as root */
  pid_t pid = fork();
  if (pid < 0) die(125, "fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    drop_capabilities();
    install_seccomp();
    o->envs[o->n_envs] = NULL;
    _exit(run_program(o));
  }
  drop_capabilities();
  return wait_and_mirror(pid, 0);
}

/* Relays stdin/stdout to 127.0.0.1:PORT inside the sandbox's network namespace. */
static int run_connect(struct opts *o) {
  if (o->target < 0 || o->port < 0) fail(125, "connect needs --target and --port");
  enter_namespaces(o, 0);
  drop_capabilities();
  install_seccomp();
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) die(1, "socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)o->port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    const char *code = errno == ECONNREFUSED ? "ECONNREFUSED" : errno == ETIMEDOUT ? "ETIMEDOUT" : strerror(errno);
    dprintf(2, "ERR %s\n", code);
    return 1;
  }
  dprintf(2, "OK\n");
  signal(SIGPIPE, SIG_IGN);
  struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = s, .events = POLLIN}};
  char buf[65536];
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die(1, "poll");
    }
    if (p[0].revents) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n <= 0) {
        shutdown(s, SHUT_WR);
        p[0].fd = -1;
      } else if (write(s, buf, (size_t)n) != n) {
        return 0;
      }
    }
    if (p[1].revents) {
      ssize_t n = read(s, buf, sizeof buf);
      if (n <= 0) return 0;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(1, buf + off, (size_t)(n - off));
        if (w <= 0) return 0;
        off += w;
      }
    }
  }
}

/* Sets the window size of the terminal on PID's stdin, as the sandbox uid (never opened as root). */
static int run_resize(struct opts *o) {
  if (o->target < 0 || o->cols < 0 || o->rows < 0) fail(125, "resize needs --target, --cols and --rows");
  drop_host_privileges(o);
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/fd/0", o->target);
  int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die(1, path);
  if (!isatty(fd)) fail(1, "stdin is not a terminal");
  struct winsize ws = {.ws_row = (unsigned short)o->rows, .ws_col = (unsigned short)o->cols};
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) die(1, "TIOCSWINSZ");
  return 0;
}

/* Starts bwrap as the sandbox uid, in the sandbox's cgroups, with the seccomp filter on --seccomp. */
static int run_holder(struct opts *o) {
  if (!o->argv || !o->argv[0]) fail(125, "holder needs the bwrap command");
  join_cgroups(o);
  drop_host_privileges(o);
  struct sock_fprog prog = seccomp_program();
  int fd = memfd_create("sandbox-seccomp", 0);
  size_t bytes = prog.len * sizeof(struct sock_filter);
  if (fd < 0 || write(fd, prog.filter, bytes) != (ssize_t)bytes || lseek(fd, 0, SEEK_SET) < 0) die(125, "memfd");
  int argc = 0;
  while (o->argv[argc]) argc++;
  char **args = calloc((size_t)argc + 3, sizeof(char *));
  char fdstr[16];
  snprintf(fdstr, sizeof fdstr, "%d", fd);
  args[0] = o->argv[0];
  args[1] = "--seccomp";
  args[2] = fdstr;
  for (int i = 1; i < argc; i++) args[i + 2] = o->argv[i];
  char *envp[] = {"PATH=" DEFAULT_PATH, "LANG=C.UTF-8", NULL};
  execve(args[0], args, envp);
  die(125, args[0]);
  return 125;
}

int main(int argc, char **argv) {
  clearenv();
  arg_area = argv[0];
  arg_area_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
  struct opts o;
  parse(argc, argv, &o);
  if (strcmp(o.mode, "exec") == 0) return run_exec(&o);
  if (strcmp(o.mode, "connect") == 0) return run_connect(&o);
  if (strcmp(o.mode, "holder") == 0) return run_holder(&o);
  if (strcmp(o.mode, "resize") == 0) return run_resize(&o);
  if (strcmp(o.mode, "version") == 0) {
    printf("%s\n", HELPER_VERSION);
    return 0;
  }
  fail(125, "unknown mode");
  return 125;
}
