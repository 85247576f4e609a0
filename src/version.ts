/** The package version, written into every run's metadata. */
export const VERSION = '0.1.0';
