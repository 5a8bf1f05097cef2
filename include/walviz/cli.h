/* cli: the subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand) and returns the process exit status. */
#ifndef WALVIZ_CLI_H
#define WALVIZ_CLI_H

int wv_cli_decode(int argc, char **argv);
int wv_cli_record(int argc, char **argv);

/* Set by main's SIGINT/SIGTERM handler; long loops stop when it is. */
extern volatile int wv_cli_interrupted;

#endif
