//! ARM client tests against a mock transport.
