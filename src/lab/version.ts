/** The lab's version, recorded in every experiment card (a unit test keeps it equal to package.json's). */
export const LAB_VERSION = '0.2.0';
