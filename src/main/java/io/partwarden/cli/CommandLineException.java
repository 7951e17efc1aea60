package io.partwarden.cli;

import org.springframework.boot.ExitCodeGenerator;

/** A command line that is not Partwarden's: refused before anything starts, exit code 2. */
public class CommandLineException extends IllegalArgumentException implements ExitCodeGenerator {

    CommandLineException(String problem) {
        super(problem);
    }

    /** What to print: the problem, then the usage line. */
    public String report() {
        return "partwarden: " + getMessage() + "\n" + CommandLine.USAGE;
    }

    @Override
    public int getExitCode() {
        return ExitCode.USAGE.code();
    }
}
