//! The web portal (issue 15); the server is the web helper's, OAI-PMH is `oai`.

pub mod oai;
