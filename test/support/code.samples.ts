/**
 * One small program per language: prints 6*7 on stdout, "warn" on stderr, and exits with 3, so
 * a test sees that both streams and the exit code come back separately.
 */
export const FORTY_TWO: Readonly<Record<string, string>> = {
  python: 'import sys\nprint(6 * 7)\nprint("warn", file=sys.stderr)\nsys.exit(3)\n',
  javascript: 'console.log(6 * 7);\nconsole.error("warn");\nprocess.exit(3);\n',
  go: 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n\tfmt.Println(6 * 7)\n\tfmt.Fprintln(os.Stderr, "warn")\n\tos.Exit(3)\n}\n',
  java: 'public class Hello {\n  public static void main(String[] args) {\n    System.out.println(6 * 7);\n    System.err.println("warn");\n    System.exit(3);\n  }\n}\n',
  rust: 'fn main() {\n    println!("{}", 6 * 7);\n    eprintln!("warn");\n    std::process::exit(3);\n}\n',
  ruby: 'puts 6 * 7\nwarn "warn"\nexit 3\n',
  // No opening tag: capability-code adds it.
  php: 'echo 6 * 7, "\\n";\nfwrite(STDERR, "warn\\n");\nexit(3);\n',
  bash: 'echo $((6 * 7))\necho warn >&2\nexit 3\n',
  sh: 'echo $((6 * 7))\necho warn >&2\nexit 3\n',
};

/** Reads stdin and echoes it upper-cased. */
export const SHOUT: Readonly<Record<string, string>> = {
  python: 'import sys\nprint(sys.stdin.read().upper(), end="")\n',
  javascript: 'process.stdout.write(require("fs").readFileSync(0, "utf8").toUpperCase());\n',
  bash: 'tr a-z A-Z\n',
};

/** Runs past any short timeout. */
export const SLEEPER: Readonly<Record<string, string>> = {
  python: 'import time\nprint("started", flush=True)\ntime.sleep(300)\n',
  bash: 'echo started; sleep 300\n',
};
