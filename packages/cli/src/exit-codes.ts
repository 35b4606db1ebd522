export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** `plan --detailed-exitcode`: the plan has changes. */
export const EXIT_CHANGES = 2;
