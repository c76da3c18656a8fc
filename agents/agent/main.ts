import { PRODUCTION_SERVICE_MODULES } from '../services/registry';
import { runAgentCommand } from './agent-main';
import { EXIT_FAILURE } from './exit-codes';

/** Entry point of agent.js: the command line (agent-main.ts) with the service modules this build ships. */
runAgentCommand(process.argv.slice(2), PRODUCTION_SERVICE_MODULES).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`appliance-agent: ${String(err)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
