export { returned } from "../src/db/returned";
