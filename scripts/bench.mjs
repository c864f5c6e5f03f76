// `pnpm bench [-- --events N] [--stores sqlite,postgres,memory] [--json]`:
// the root script builds the CLI package first, then this runs the
// benchmark module from its build (packages/cli/src/bench, spec/bench.md).
import { runBenchCli } from '../packages/cli/dist/bench/main.js';

process.exitCode = await runBenchCli(process.argv.slice(2));
