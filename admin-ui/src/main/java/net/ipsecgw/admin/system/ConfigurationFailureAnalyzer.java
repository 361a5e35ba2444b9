package net.ipsecgw.admin.system;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Makes a bad configuration value stop start-up with one line naming the key and the reason (and
 * never the value): {@code gateway.black.port: must be 1-65535, got 70000}.
 */
public final class ConfigurationFailureAnalyzer implements FailureAnalyzer {
    @Override
    public FailureAnalysis analyze(Throwable failure) {
        InvalidConfigurationException problem = ConfigurationProblems.describe(failure);
        if (problem == null) {
            return null;
        }
        return new FailureAnalysis(
                "Invalid configuration: " + problem.key() + ": " + problem.problem(),
                "Correct " + problem.key() + " in the configuration (application.yml, the profile's file, the"
                        + " connections file or the command line) and start again.",
                problem);
    }
}
