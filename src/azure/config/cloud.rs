//! The Azure clouds and their default ARM, Entra and token-audience endpoints.

/// The Azure cloud whose endpoints are used unless overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudEnvironment {
    /// Azure public cloud.
    Public,
    /// Azure US Government.
    UsGovernment,
    /// Azure China (21Vianet).
    China,
}

impl CloudEnvironment {
    pub(super) fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "public" => Some(Self::Public),
            "usgovernment" => Some(Self::UsGovernment),
            "china" => Some(Self::China),
            _ => None,
        }
    }

    /// Default Resource Manager endpoint.
    pub fn resource_manager_endpoint(self) -> &'static str {
        match self {
            Self::Public => "https://management.azure.com/",
            Self::UsGovernment => "https://management.usgovcloudapi.net/",
            Self::China => "https://management.chinacloudapi.cn/",
        }
    }

    /// Default Entra ID authority host.
    pub fn authority_host(self) -> &'static str {
        match self {
            Self::Public => "https://login.microsoftonline.com/",
            Self::UsGovernment => "https://login.microsoftonline.us/",
            Self::China => "https://login.chinacloudapi.cn/",
        }
    }
}
