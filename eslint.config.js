// typescript-eslint's recommended rules over engine/, tasks/, test/ and bench/.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bench/.work/", "examples/", "data/", "cache/", "docs/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a value deliberately unused (destructuring, callbacks)
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
