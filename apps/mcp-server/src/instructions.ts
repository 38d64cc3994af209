/** The `instructions` this server gives clients at initialization: how to use sessions well. */
export const SERVER_INSTRUCTIONS = `execkit runs shell commands in persistent shell sessions and returns structured results.

How to use it:
- Call session_create once and reuse its session_id for every related command. Transport "local" runs the shell on the machine running this server; transport "ssh" runs it on a remote host (host: a name, an address or an alias from host_list; add user, port, password or key_path if needed — host keys are checked against known_hosts and a changed key is refused). The session is a live shell: the working directory, exported variables, shell functions and aliases persist between session_exec calls, so \`cd\` and \`export\` in one call carry over to the next.
- A session runs one command at a time; further session_exec calls on the same session wait their turn. Use separate sessions only for work that must run in parallel.
- Each command has a timeout (timeout_secs, default 120). A command that runs too long is interrupted and the result has timed_out: true; the session and its state survive, so you can continue in it. Run long-lived servers in the background (\`cmd > log 2>&1 &\`) and check on them later.
- stdout and stderr come back separately as clean text with exit_code and the cwd afterwards. Long output is capped: the head and the tail are kept and the middle elided (truncated: true; stdout_bytes/stderr_bytes give the full size). For large output, redirect to a file and inspect it with head, tail or grep.
- Commands get no interactive input: pass text through stdin if needed, and use non-interactive flags (for example \`git --no-pager\`, \`apt-get -y\`) instead of editors, pagers or prompts.
- If a command ends the shell (\`exit\`, \`exec\`), the result has session_closed: true and the session is gone; create a new one.
- Over ssh, if the connection drops while a command runs, session_exec fails with CONNECTION_LOST (that command's outcome is unknown); the next call reconnects and restores the working directory and exported variables (reconnected: true), but not functions, aliases or background jobs.
- Call session_destroy when you are done with a session; session_list shows the live ones. All sessions end when the server stops.`;
