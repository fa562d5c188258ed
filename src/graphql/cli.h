/* cli.h -- the engine's command-line face: `entityd gql validate|print-schema ...` (see cli.c). */
#ifndef ENTITYD_GQL_CLI_H
#define ENTITYD_GQL_CLI_H

/* argv[0] is the command name ("gql"), argv[1] the subcommand. Returns the process exit status:
 * validate: 0 valid, 1 invalid (validation or parse errors), 2 usage or schema error;
 * print-schema: 0, or 2 on a usage or schema error. */
int gql_cli_main(int argc, char **argv);

#endif
