// The GitHub Action as the runner starts it (bundled into dist/action.js by scripts/bundle.sh):
// the conventional split of an action into this entry and js/action.js, whose exported `run()`
// local action runners call directly.
import { run } from './action.js';

await run();
