/**
 * Docker's restricted name characters (`[a-zA-Z0-9][a-zA-Z0-9_.-]`), as it checks the names of legacy
 * plugins and of local volumes: a plugin name cannot climb out of its directory, and a bind source that
 * matches is a volume's name, not a host path.
 */
export const RESTRICTED_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
