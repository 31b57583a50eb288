// The one rule for variable names: `$` then letters, digits and `_`, not starting with a digit.

export const VARIABLE_NAME_PATTERN = '^\\$[A-Za-z_][A-Za-z0-9_]*$';
export const VARIABLE_NAME = new RegExp(VARIABLE_NAME_PATTERN);
