export { main } from "./main.js";
export { createProviderRegistry } from "./providers.js";
