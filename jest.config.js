/** Jest runs the TypeScript sources as native ES modules through ts-jest. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // The demo and the bench write copies of package.json files there, which jest would take as
  // modules of the same name.
  modulePathIgnorePatterns: ['<rootDir>/demo-output/', '<rootDir>/bench/output/'],
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
  testTimeout: 300000,
  maxWorkers: 2
}
