/** The interlock version, recorded in experiment metadata and reports. Keep in step with package.json. */
export const VERSION = '0.1.0';
