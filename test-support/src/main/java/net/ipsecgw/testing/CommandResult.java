package net.ipsecgw.testing;

import java.util.List;

/**
 * The outcome of a finished command: its exit code and what it printed. Immutable.
 *
 * @param command the command line as run
 * @param exitCode the exit status (0 is success)
 * @param stdout standard output
 * @param stderr standard error
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    public CommandResult {
        command = List.copyOf(command);
    }

    /** True when the command exited with 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this result when the command succeeded, else throws with its command line and stderr. */
    public CommandResult orThrow() {
        if (!succeeded()) {
            throw new IllegalStateException("command " + String.join(" ", command) + " exited with " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        }
        return this;
    }
}
