/** `npm run build:pgdata`: makes the embedded database's template once (see pgdataTemplatePath). */
import { makePgdataTemplate, pgdataTemplatePath } from "./embedded";

makePgdataTemplate().then((made) => {
  process.stdout.write(`${made ? "made" : "kept"} ${pgdataTemplatePath()}\n`);
}, (err: Error) => {
  process.stderr.write(`roster: ${err.message}\n`);
  process.exit(1);
});
