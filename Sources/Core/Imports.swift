// Core speaks in the value types of the terraform runner (TerraformCommand,
// TerraformEvent) and of the challenge (TodoItem, CheckName, CheckStatus,
// CheckResult): its events carry them. Re-exported so that users of Core
// (views, the session log, tests) see one vocabulary.
@_exported import Challenge
@_exported import TerraformRunner
